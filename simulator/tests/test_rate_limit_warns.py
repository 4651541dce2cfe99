"""The token bucket's `warns` switch: with it off, only 429s carry X-RateLimit-* headers."""

from __future__ import annotations

import pytest
from confluence_simulator.ratelimit import STYLE_CLOUD, STYLE_DATACENTER, TokenBucket


@pytest.mark.parametrize("style", [STYLE_CLOUD, STYLE_DATACENTER])
def test_silent_bucket_sends_headers_on_its_429s_only(style: str) -> None:
    bucket = TokenBucket(2, style, warns=False)
    answers = [bucket.take() for _ in range(3)]  # a 2-token bucket, taken faster than it refills
    assert [a.allowed for a in answers] == [True, True, False]
    assert answers[0].headers == {} and answers[1].headers == {}
    assert answers[2].headers["X-RateLimit-Remaining"] == "0"


@pytest.mark.parametrize("style", [STYLE_CLOUD, STYLE_DATACENTER])
def test_warning_bucket_sends_remaining_on_every_answer(style: str) -> None:
    bucket = TokenBucket(5, style)
    answer = bucket.take()
    assert answer.allowed and answer.headers["X-RateLimit-Remaining"] == "4"
