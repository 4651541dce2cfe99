"""Rate-limit header parsing: every documented form, and junk that must be ignored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from baton_confluence.confluence.client.ratelimit import RateLimitHeaders

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def parse(**values: str) -> RateLimitHeaders:
    return RateLimitHeaders.parse(httpx.Headers(values), NOW)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01T12:05Z", NOW + timedelta(minutes=5)),  # Atlassian's documented yyyy-MM-ddTHH:mmZ
        ("2026-03-01T12:00:30+00:00", NOW + timedelta(seconds=30)),
        (str(int((NOW + timedelta(seconds=90)).timestamp())), NOW + timedelta(seconds=90)),
        (str(int((NOW + timedelta(seconds=90)).timestamp() * 1000)), NOW + timedelta(seconds=90)),
        ("15", NOW + timedelta(seconds=15)),
        ("next tuesday", None),
        ("inf", None),
        ("", None),
    ],
)
def test_reset_forms(value: str, expected: datetime | None) -> None:
    assert parse(**{"X-RateLimit-Reset": value}).reset_at == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), ("1.5", 1.5), ("-4", 0.0), ("soon", None), ("nan", None), ("9223372036854775807", 315360000.0)],
)
def test_retry_after_forms(value: str, expected: float | None) -> None:
    assert parse(**{"Retry-After": value}).retry_after == expected


def test_near_limit_and_counts() -> None:
    headers = parse(**{"x-ratelimit-nearlimit": "TRUE", "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "x"})
    assert headers.near_limit and headers.nearly_exhausted
    assert headers.limit == 100 and headers.remaining is None
    assert not parse().present
    assert parse(**{"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "19"}).nearly_exhausted
    assert not parse(**{"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "20"}).nearly_exhausted


def test_to_info_caps_the_reset_time() -> None:
    info = parse(**{"Retry-After": "3600", "X-RateLimit-Limit": "10"}).to_info(NOW, overlimit=True, max_wait=60)
    assert info.reset_at == NOW + timedelta(seconds=60)
    assert info.limit == 10 and info.remaining == 0 and info.overlimit
