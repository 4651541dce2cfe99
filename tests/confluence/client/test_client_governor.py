"""RequestGovernor on a fake clock: pauses, AIMD, rps spacing, near-limit slow-down."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from structlog.testing import LogCapture

from baton_confluence.confluence.client import GovernorSettings, RequestGovernor
from baton_confluence.confluence.client.ratelimit import RateLimitHeaders

BASE = "https://example.atlassian.net"
# Near a limit, starts are paced at this share of the refill rate.
SHARE = GovernorSettings().near_limit_pace_share


def governor(fake_clock: Any, **settings: Any) -> RequestGovernor:
    return RequestGovernor(
        GovernorSettings(**settings), clock=fake_clock.clock, wall_clock=fake_clock.wall, sleep=fake_clock.sleep
    )


def headers(fake_clock: Any, **values: str) -> RateLimitHeaders:
    return RateLimitHeaders.parse(httpx.Headers(values), fake_clock.wall())


async def start_times(gov: RequestGovernor, clock: Any, count: int) -> list[float]:
    """Clock time at which each of `count` concurrent requests was admitted."""
    starts: list[float] = []

    async def one() -> None:
        async with gov.slot():
            starts.append(clock.now)

    await asyncio.gather(*(one() for _ in range(count)))
    return starts


# --- Retry-After ------------------------------------------------------------------------------
def test_retry_after_pauses_everyone(fake_clock: Any) -> None:
    gov = governor(fake_clock)
    gov.observe(429, headers(fake_clock, **{"Retry-After": "5"}))
    assert gov.paused_until == fake_clock.now + 5
    starts = asyncio.run(start_times(gov, fake_clock, 6))
    assert all(start >= 1005.0 for start in starts)


def test_huge_retry_after_is_capped_with_a_warning(fake_clock: Any, logs: LogCapture) -> None:
    gov = governor(fake_clock, max_retry_after=60.0)
    gov.observe(429, headers(fake_clock, **{"Retry-After": "9223372036854775807"}))
    assert gov.paused_until == fake_clock.now + 60.0
    capped = [entry for entry in logs.entries if entry["event"] == "confluence_retry_after_capped"]
    assert capped and capped[0]["log_level"] == "warning" and capped[0]["capped_s"] == 60.0


def test_503_with_retry_after_pauses_but_500_does_not(fake_clock: Any) -> None:
    gov = governor(fake_clock)
    gov.observe(500, headers(fake_clock, **{"Retry-After": "3"}))
    assert gov.paused_until < fake_clock.now
    gov.observe(503, headers(fake_clock, **{"Retry-After": "3"}))
    assert gov.paused_until == fake_clock.now + 3


def test_429_with_reset_header_but_no_retry_after(fake_clock: Any) -> None:
    gov = governor(fake_clock)
    reset = (fake_clock.wall() + timedelta(seconds=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    gov.observe(429, headers(fake_clock, **{"X-RateLimit-Reset": reset}))
    assert gov.paused_until == pytest.approx(fake_clock.now + 20)


def test_http_date_retry_after(fake_clock: Any) -> None:
    gov = governor(fake_clock)
    when = (fake_clock.wall() + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    gov.observe(429, headers(fake_clock, **{"Retry-After": when}))
    assert gov.paused_until == pytest.approx(fake_clock.now + 30)


def test_client_waits_out_retry_after_before_retrying(make_http: Any, fake_clock: Any) -> None:
    async def scenario() -> list[float]:
        seen: list[float] = []

        def answer(request: httpx.Request) -> httpx.Response:
            seen.append(fake_clock.now)
            if len(seen) == 1:
                return httpx.Response(429, headers={"Retry-After": "2"})
            return httpx.Response(200, json={})

        with respx.mock(base_url=BASE) as router:
            router.get("/wiki/rest/api/group").mock(side_effect=answer)
            await make_http().get_json("/wiki/rest/api/group")
        return seen

    seen = asyncio.run(scenario())
    assert len(seen) == 2
    assert seen[1] - seen[0] == pytest.approx(2.0)  # the pause, not the 0.1-0.2 s backoff


# --- AIMD -------------------------------------------------------------------------------------
def test_aimd_halves_once_per_episode_and_recovers_additively(fake_clock: Any) -> None:
    gov = governor(fake_clock, max_concurrency=8, increase_after=10, decrease_cooldown=1.0)
    none = headers(fake_clock)
    gov.observe(429, none)
    assert gov.limit == 4
    gov.observe(429, none)  # the same burst: within the cooldown
    assert gov.limit == 4
    fake_clock.now += 1.5
    gov.observe(503, none)
    assert gov.limit == 2
    for _ in range(5):
        fake_clock.now += 2
        gov.observe(429, none)
    assert gov.limit == 1  # never below min_concurrency
    for _ in range(10):
        gov.observe(200, none)
    assert gov.limit == 2
    for _ in range(9):
        gov.observe(200, none)
    assert gov.limit == 2
    gov.observe(200, none)
    assert gov.limit == 3
    for _ in range(100):
        gov.observe(200, none)
    assert gov.limit == 8  # never above max_concurrency


async def settled(condition: Callable[[], bool], *, turns: int = 1000, after: int = 50) -> None:
    """Run the event loop until `condition` holds, then `after` more turns (so that anything that
    would wrongly happen next has had every chance to); fail when it never holds. Loop turns, not
    time: the order is the loop's, never a sleep's."""
    for _ in range(turns):
        if condition():
            break
        await asyncio.sleep(0)
    else:
        raise AssertionError("the condition never held")
    for _ in range(after):
        await asyncio.sleep(0)


def test_lowered_limit_caps_in_flight_and_raising_it_wakes_waiters(fake_clock: Any) -> None:
    gov = governor(fake_clock, max_concurrency=4, increase_after=1)
    gov.observe(429, headers(fake_clock))
    assert gov.limit == 2

    async def scenario() -> int:
        peak = 0
        asked = 0
        release = asyncio.Event()

        async def one() -> None:
            nonlocal peak, asked
            asked += 1
            async with gov.slot():
                peak = max(peak, gov.in_flight)
                await release.wait()

        tasks = [asyncio.create_task(one()) for _ in range(4)]
        await settled(lambda: asked == 4 and gov.in_flight == 2)
        assert gov.in_flight == 2
        gov.observe(200, headers(fake_clock))  # +1: one waiter gets in
        await settled(lambda: gov.in_flight == 3)
        assert gov.in_flight == 3
        release.set()
        await asyncio.gather(*tasks)
        return peak

    assert asyncio.run(scenario()) == 3
    assert gov.in_flight == 0


# --- rate cap ---------------------------------------------------------------------------------
def test_max_rps_spaces_request_starts(fake_clock: Any) -> None:
    gov = governor(fake_clock, max_rps=5.0, max_concurrency=8)
    starts = asyncio.run(start_times(gov, fake_clock, 6))
    assert sorted(round(start - 1000.0, 6) for start in starts) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


# --- near the limit ---------------------------------------------------------------------------
def test_near_limit_header_halves_concurrency_and_spreads_the_budget(fake_clock: Any) -> None:
    gov = governor(fake_clock, max_concurrency=8)
    reset = (fake_clock.wall() + timedelta(seconds=10)).isoformat()
    near = headers(
        fake_clock,
        **{"X-RateLimit-NearLimit": "true", "X-RateLimit-Remaining": "50", "X-RateLimit-Reset": reset},
    )
    gov.observe(200, near)
    assert gov.limit == 4
    # 50 left over 10 s would be 0.2 s apart; with no Limit header the short default pace wins
    assert gov.interval() == pytest.approx(0.1)
    gov.observe(200, near)  # same episode: no further halving
    assert gov.limit == 4
    starts = asyncio.run(start_times(gov, fake_clock, 3))
    assert sorted(round(start - 1000.0, 6) for start in starts) == [0.0, 0.1, 0.2]
    fake_clock.now += 11
    assert gov.interval() == 0.0  # the slow-down ends with the window


def test_low_remaining_share_counts_as_near_limit(fake_clock: Any) -> None:
    gov = governor(fake_clock, max_concurrency=8, near_limit_window=10.0)
    gov.observe(200, headers(fake_clock, **{"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "10"}))
    assert gov.limit == 4
    # 10 left over 10 s would be 1 s apart; the refill pace (Limit 100 per second) is faster
    assert gov.interval() == pytest.approx(0.01 / SHARE)
    healthy = governor(fake_clock, max_concurrency=8)
    healthy.observe(200, headers(fake_clock, **{"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "50"}))
    assert healthy.limit == 8 and healthy.interval() == 0.0


def test_exhausted_budget_with_reset_pauses_until_reset(fake_clock: Any) -> None:
    gov = governor(fake_clock)
    reset = str(int((fake_clock.wall() + timedelta(seconds=7)).timestamp()))  # epoch seconds
    gov.observe(200, headers(fake_clock, **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}))
    assert gov.paused_until == pytest.approx(fake_clock.now + 7)


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        GovernorSettings(max_concurrency=0)
    with pytest.raises(ValueError):
        GovernorSettings(max_rps=0)


def test_near_limit_pace_follows_the_refill_rate_not_a_coarse_reset(fake_clock: Any) -> None:
    gov = governor(fake_clock, max_concurrency=8)
    minute_away = (fake_clock.wall() + timedelta(seconds=45)).isoformat()
    near = headers(
        fake_clock,
        **{
            "X-RateLimit-NearLimit": "true",
            "X-RateLimit-Limit": "20",
            "X-RateLimit-Remaining": "1",
            "X-RateLimit-Reset": minute_away,
        },
    )
    gov.observe(200, near)
    assert gov.interval() == pytest.approx(0.05 / SHARE)  # 20 per second, not 45 s for the one request left
    dc = governor(fake_clock, max_concurrency=8)
    dc.observe(
        200,
        headers(
            fake_clock,
            **{
                "X-RateLimit-Limit": "100",
                "X-RateLimit-Remaining": "5",
                "X-RateLimit-Interval-Seconds": "2",
                "X-RateLimit-FillRate": "10",
            },
        ),
    )
    assert dc.interval() == pytest.approx(0.2 / SHARE)  # 10 tokens every 2 s
