"""RequestGovernor near a token bucket, on the fake clock: headroom below the refill rate, requests
in flight counted as spent tokens, and a model bucket whose requests arrive with jitter."""

from __future__ import annotations

import asyncio
import math
import random
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from baton_confluence.confluence.client import GovernorSettings, RequestGovernor
from baton_confluence.confluence.client.ratelimit import RateLimitHeaders

SHARE = GovernorSettings().near_limit_pace_share


def governor(fake_clock: Any, **settings: Any) -> RequestGovernor:
    return RequestGovernor(
        GovernorSettings(**settings), clock=fake_clock.clock, wall_clock=fake_clock.wall, sleep=fake_clock.sleep
    )


def dc_headers(
    fake_clock: Any, *, limit: int, remaining: int, fill_rate: int, retry_after: int = 0
) -> RateLimitHeaders:
    """Data Center's headers, as on every one of its answers (simulator/confluence_simulator/DC_FACTS.md)."""
    values = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Interval-Seconds": "1",
        "X-RateLimit-FillRate": str(fill_rate),
        "retry-after": str(retry_after),
    }
    return RateLimitHeaders.parse(httpx.Headers(values), fake_clock.wall())


async def hold_slots(gov: RequestGovernor, count: int) -> list[asyncio.Event]:
    """`count` requests admitted and left in flight until their event is set."""
    admitted = 0
    releases = [asyncio.Event() for _ in range(count)]

    async def one(release: asyncio.Event) -> None:
        nonlocal admitted
        async with gov.slot():
            admitted += 1
            await release.wait()

    tasks = [asyncio.ensure_future(one(release)) for release in releases]
    while admitted < count:
        await asyncio.sleep(0)
    _HELD.update(tasks)  # kept referenced until the event loop ends
    return releases


_HELD: set[asyncio.Future[None]] = set()


def test_near_a_bucket_the_pace_stays_below_the_refill_rate(fake_clock: Any) -> None:
    gov = governor(fake_clock, max_concurrency=8)
    gov.observe(200, dc_headers(fake_clock, limit=10, remaining=1, fill_rate=10))
    assert gov.interval() > 0.1  # slower than one token per 0.1 s: jitter finds a token left
    assert gov.interval() == pytest.approx(0.1 / SHARE)


def test_requests_in_flight_count_as_spent_tokens(fake_clock: Any) -> None:
    async def scenario() -> tuple[float, float, int]:
        gov = governor(fake_clock, max_concurrency=8)
        releases = await hold_slots(gov, 8)
        # 8 of 10 tokens left looks healthy (the 20 % line is 2), but the 7 other requests in
        # flight will take 7 of them
        gov.observe(200, dc_headers(fake_clock, limit=10, remaining=8, fill_rate=10))
        interval = gov.interval()
        for release in releases:
            release.set()
        await asyncio.sleep(0)
        healthy = governor(fake_clock, max_concurrency=8)
        held = await hold_slots(healthy, 8)
        healthy.observe(200, dc_headers(fake_clock, limit=100, remaining=50, fill_rate=100))
        for release in held:
            release.set()
        await asyncio.sleep(0)
        return interval, healthy.interval(), healthy.limit

    interval, healthy_interval, healthy_limit = asyncio.run(scenario())
    assert interval == pytest.approx(0.1 / SHARE)
    # far from the limit even after the requests in flight: no pacing, no lower concurrency
    assert healthy_interval == 0.0 and healthy_limit == 8


def test_fewer_tokens_than_the_concurrency_allows_count_as_near(fake_clock: Any) -> None:
    # a serial run of requests (one in flight) left 2 of 10 tokens: not below the 20 % line, but
    # 4 requests may start at once
    gov = governor(fake_clock, max_concurrency=4)
    gov.observe(200, dc_headers(fake_clock, limit=10, remaining=2, fill_rate=10))
    assert gov.interval() == pytest.approx(0.1 / SHARE)
    roomy = governor(fake_clock, max_concurrency=4)
    roomy.observe(200, dc_headers(fake_clock, limit=10, remaining=4, fill_rate=10))
    assert roomy.interval() == 0.0 and roomy.limit == 4


def test_a_shortfall_holds_the_next_start_until_it_refills(fake_clock: Any) -> None:
    async def scenario() -> float:
        gov = governor(fake_clock, max_concurrency=8)
        releases = await hold_slots(gov, 4)
        # 1 token left, 3 other requests in flight: they and the next start need 4, 3 short
        gov.observe(200, dc_headers(fake_clock, limit=10, remaining=1, fill_rate=10))
        releases[0].set()
        await asyncio.sleep(0)
        started = fake_clock.now
        async with gov.slot():
            start = fake_clock.now
        for release in releases[1:]:
            release.set()
        await asyncio.sleep(0)
        return start - started

    assert asyncio.run(scenario()) == pytest.approx(3 * 0.1 / SHARE)


# --- a model bucket ---------------------------------------------------------------------------
@dataclass
class ModelBucket:
    """A token bucket as Data Center describes it (continuous refill, `rate` tokens a second)."""

    capacity: int
    rate: float
    tokens: float
    stamp: float
    rejected: int = 0

    def take(self, now: float) -> tuple[int, int, int]:
        """(status, remaining, retry_after) of one request arriving at `now`."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 200, int(self.tokens), 0
        self.rejected += 1
        return 429, 0, max(1, math.ceil((1.0 - self.tokens) / self.rate))


def drive(fake_clock: Any, share: float, *, requests: int = 120, seed: int = 5) -> tuple[int, float]:
    """`requests` requests at concurrency 8 against a 10-token, 10/s bucket; each reaches the
    site 0-20 ms after its start and its answer returns 5 ms later. (429 count, seconds taken)."""
    rng = random.Random(seed)
    bucket = ModelBucket(capacity=10, rate=10.0, tokens=10.0, stamp=fake_clock.now)
    gov = governor(fake_clock, max_concurrency=8, near_limit_pace_share=share)
    begun = fake_clock.now

    async def request() -> None:
        while True:
            async with gov.slot():
                await fake_clock.sleep(rng.uniform(0.0, 0.02))
                status, remaining, retry_after = bucket.take(fake_clock.now)
                await fake_clock.sleep(0.005)
                gov.observe(
                    status, dc_headers(fake_clock, limit=10, remaining=remaining, fill_rate=10, retry_after=retry_after)
                )
            if status == 200:
                return

    async def worker(queue: asyncio.Queue[int]) -> None:
        while not queue.empty():
            queue.get_nowait()
            await request()

    async def run() -> None:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for number in range(requests):
            queue.put_nowait(number)
        await asyncio.gather(*(worker(queue) for _ in range(8)))

    asyncio.run(run())
    return bucket.rejected, fake_clock.now - begun


def test_a_small_bucket_with_jitter_draws_almost_no_429s(fake_clock: Any) -> None:
    rejected, seconds = drive(fake_clock, SHARE)
    assert rejected <= 1
    # and the bucket is still used: the 110 requests beyond the first 10 tokens at no less than
    # 80 % of the refill rate
    assert seconds <= (120 - 10) / (10 * 0.8)


def test_seeds_vary_and_the_bound_holds(fake_clock: Any) -> None:
    for seed in range(6):
        rejected, _ = drive(fake_clock, SHARE, seed=seed)
        assert rejected <= 1, seed
