"""One adaptive request governor per site, shared by every request in flight.

It decides *when* a request may start:

1. **Concurrency cap.** At most `limit` requests are in flight; `limit` starts at
   `max_concurrency` and moves with AIMD: halved (at most once per `decrease_cooldown`, so one
   burst of 429s counts once) on 429/503, raised by one after `increase_after` successes.
2. **Rate cap.** With `max_rps`, starts are spaced at least `1 / max_rps` seconds apart.
3. **Global pause.** A 429 or 503 carrying Retry-After (or a 429 with X-RateLimit-Reset)
   pauses *all* new starts until then; the wait is capped at `max_retry_after` with a warning,
   because Atlassian has been seen to send Retry-After: 9223372036854775807.
4. **Early slow-down.** When the site says it is near its limit (X-RateLimit-NearLimit, or
   Remaining below 20 % of Limit), the governor lowers the limit once for the episode and spaces
   starts at the faster of two paces: the remaining budget spread until the reset (or
   `near_limit_window`), and the sustainable refill rate (Data Center's FillRate, else Limit per
   second). Spreading alone paced a refilling 20 req/s bucket at under 1 req/s. If Remaining
   hits 0 with a known reset time, everyone waits for the reset.
5. **Headroom near a bucket.** Pacing at exactly the refill rate turned every bit of jitter
   (a request reaching the site a few milliseconds early) into a 429. So near the limit the
   governor (a) paces at `near_limit_pace_share` of the refill rate, letting the bucket gain a
   little, (b) counts the requests already in flight as tokens spent, since Remaining was
   reported before they arrived, (c) counts as near the limit any Remaining smaller than the
   burst the concurrency allows (a serial run of requests left a 10-token bucket 2 tokens, then
   3 requests started at once), and (d) when the requests in flight would leave the bucket
   short, holds the next start until the shortfall has refilled.

Time is injected (`clock`, `wall_clock`, `sleep`) so tests are deterministic. Use it from one
event loop; it is not thread-safe.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from baton_confluence.confluence.client.ratelimit import RateLimitHeaders

log = structlog.get_logger("baton_confluence.confluence.client.governor")

Clock = Callable[[], float]
WallClock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class GovernorSettings:
    max_concurrency: int = 8
    min_concurrency: int = 1
    max_rps: float | None = None
    max_retry_after: float = 60.0
    decrease_factor: float = 0.5
    decrease_cooldown: float = 1.0  # seconds; one congestion episode shrinks the limit once
    increase_after: int = 10  # consecutive successes per +1
    # Atlassian applies burst limits over 10 s windows; without a Reset header, a near-limit
    # slow-down lasts this long and spreads the remaining budget over it.
    near_limit_window: float = 10.0
    near_limit_interval: float = 0.1  # spacing when the remaining budget is unknown
    max_interval: float = 2.0  # never space starts further apart than this
    # Near a limit, pace at this share of the refill rate (headroom for jitter; module doc, 5).
    near_limit_pace_share: float = 0.95

    def __post_init__(self) -> None:
        if self.max_concurrency < 1 or not 1 <= self.min_concurrency <= self.max_concurrency:
            raise ValueError("need 1 <= min_concurrency <= max_concurrency")
        if self.max_rps is not None and self.max_rps <= 0:
            raise ValueError("max_rps must be positive or None")
        if not 0 < self.decrease_factor < 1:
            raise ValueError("decrease_factor must be between 0 and 1")
        if not 0 < self.near_limit_pace_share <= 1:
            raise ValueError("near_limit_pace_share must be in (0, 1]")


class RequestGovernor:
    """Admission control for one site: `async with governor.slot(): send()` then `observe(...)`."""

    def __init__(
        self,
        settings: GovernorSettings | None = None,
        *,
        clock: Clock = time.monotonic,
        wall_clock: WallClock = utc_now,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings or GovernorSettings()
        self._clock = clock
        self._wall_clock = wall_clock
        self._sleep = sleep
        self._limit = self.settings.max_concurrency
        self._in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._paused_until = -math.inf
        self._next_start = -math.inf
        self._slow_interval = 0.0
        self._slow_until = -math.inf
        self._last_decrease = -math.inf
        self._successes = 0

    # --- what tests and stats look at -------------------------------------------------------
    @property
    def limit(self) -> int:
        """The concurrency currently allowed (between min and max concurrency)."""
        return self._limit

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def paused_until(self) -> float:
        """Clock time before which no request starts (-inf when not paused)."""
        return self._paused_until

    def interval(self) -> float:
        """The current minimum spacing between request starts, in seconds."""
        base = 1.0 / self.settings.max_rps if self.settings.max_rps else 0.0
        slow = self._slow_interval if self._clock() < self._slow_until else 0.0
        return max(base, slow)

    # --- admission --------------------------------------------------------------------------
    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one in-flight slot for the body of the block, after any pause and spacing."""
        await self._take_slot()
        try:
            await self._wait_turn()
            yield
        finally:
            self._release()

    async def _take_slot(self) -> None:
        if self._in_flight < self._limit and not self._waiters:
            self._in_flight += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # the slot was handed over just before the cancellation
            else:
                self._waiters.remove(waiter)
            raise

    def _release(self) -> None:
        self._in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        # Hand slots straight to waiters (first come, first served) so none is lost to a race.
        while self._waiters and self._in_flight < self._limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._in_flight += 1
                waiter.set_result(None)

    async def _wait_turn(self) -> None:
        """Sleep through any global pause, then until this request's spaced start time."""
        while True:
            now = self._clock()
            if now < self._paused_until:
                await self._sleep(self._paused_until - now)
                continue
            start = max(now, self._next_start)
            self._next_start = start + self.interval()
            if start > now:
                await self._sleep(start - now)
            if self._clock() >= self._paused_until:
                return  # a pause that began while we slept sends us round again

    # --- feedback ---------------------------------------------------------------------------
    def observe(self, status: int, headers: RateLimitHeaders) -> None:
        """Learn from one response (call it for every response, success or not)."""
        now = self._clock()
        # Requests admitted besides the one answered here (observe runs inside its slot); each
        # will take a token the Remaining below did not yet count.
        pending = max(0, self._in_flight - 1)
        if status in (429, 503):
            self._pause_for(status, headers)
            self._decrease(now, reason=f"http_{status}")
        elif headers.remaining == 0 and headers.reset_at is not None:
            self._pause_for(status, headers)
            self._slow_down(now, headers, pending)
        elif headers.nearly_exhausted_after(pending, burst=self._limit):
            self._slow_down(now, headers, pending)
        elif status < 400:
            self._succeed()

    def _pause_for(self, status: int, headers: RateLimitHeaders) -> None:
        wait = headers.wait_seconds(self._wall_clock())
        if wait is None:
            return
        cap = self.settings.max_retry_after
        if wait > cap:
            log.warning("confluence_retry_after_capped", status=status, requested_s=wait, capped_s=cap)
            wait = cap
        until = self._clock() + wait
        if until > self._paused_until:
            self._paused_until = until
            log.info("confluence_requests_paused", status=status, seconds=round(wait, 3))

    def _decrease(self, now: float, *, reason: str) -> None:
        self._successes = 0
        if now - self._last_decrease < self.settings.decrease_cooldown:
            return
        self._last_decrease = now
        new = max(self.settings.min_concurrency, int(self._limit * self.settings.decrease_factor))
        if new != self._limit:
            log.info("confluence_concurrency_lowered", old=self._limit, new=new, reason=reason)
            self._limit = new

    def _slow_down(self, now: float, headers: RateLimitHeaders, pending: int) -> None:
        """Near the limit: shrink concurrency once per episode and pace starts below the refill rate.

        Spreading the *remaining* budget over the time to a (minute-granular) reset paced
        requests seconds apart while the bucket kept refilling, so a 20 req/s site was used at
        under 1 req/s. The pace is the sustainable rate instead: the fill rate when the site
        gives one (Data Center), else the limit per second, else a short fixed spacing; taken at
        `near_limit_pace_share` of it so that jitter finds a token left over.
        """
        if now >= self._slow_until:
            self._decrease(now, reason="near_limit")
        window = self.settings.near_limit_window
        if headers.reset_at is not None:
            window = max((headers.reset_at - self._wall_clock()).total_seconds(), 0.0)
        spread = window / headers.remaining if headers.remaining else self.settings.near_limit_interval
        paced = self._paced_interval(headers)
        self._slow_interval = min(spread, paced, self.settings.max_interval)
        self._slow_until = now + min(max(window, self._slow_interval), self.settings.max_retry_after)
        if headers.remaining is not None:
            # The requests in flight and the next one need `pending + 1` tokens; the next start
            # waits until any shortfall has refilled, so it does not draw a 429.
            shortfall = pending + 1 - headers.remaining
            if shortfall > 0:
                hold = min(shortfall * paced, self.settings.max_interval)
                self._next_start = max(self._next_start, now + hold)

    def _paced_interval(self, headers: RateLimitHeaders) -> float:
        """The spacing of starts near the limit: the refill interval plus headroom, when known."""
        share = self.settings.near_limit_pace_share
        if headers.fill_rate and headers.interval_seconds:
            return headers.interval_seconds / headers.fill_rate / share
        if headers.limit:
            return 1.0 / headers.limit / share  # an assumption: Atlassian does not say what window Limit covers
        return self.settings.near_limit_interval

    def _succeed(self) -> None:
        self._successes += 1
        if self._successes < self.settings.increase_after:
            return
        self._successes = 0
        if self._limit < self.settings.max_concurrency:
            self._limit += 1
            log.debug("confluence_concurrency_raised", new=self._limit)
            self._wake()
