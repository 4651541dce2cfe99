"""Reading Atlassian's rate-limit response headers. Parsing never fails a request.

Headers (Atlassian "Rate limiting" pages for Confluence/Jira Cloud; Data Center sends the first
two as well):

- `Retry-After`: seconds to wait (RFC 9110 also allows an HTTP date). Sent with 429 and with
  some 503s. Atlassian has been seen to send absurd values such as 9223372036854775807, so
  callers cap it.
- `X-RateLimit-Limit` / `X-RateLimit-Remaining`: the budget and what is left of it.
- `X-RateLimit-Reset`: when the budget resets, as ISO 8601 (`yyyy-MM-ddTHH:mmZ`). Unix time in
  seconds or milliseconds is accepted too, and a small number (below 1e9) is read as seconds
  from now.
- `X-RateLimit-NearLimit`: `true` when less than 20 % of any budget remains.
- Data Center's token bucket (confluence.atlassian.com/conf87 "_RateLimiting_HTTPheaders"):
  `X-RateLimit-Limit` (bucket size), `X-RateLimit-Remaining`, `X-RateLimit-Interval-Seconds` (a new
  batch of tokens arrives every interval), `X-RateLimit-FillRate` (tokens per interval) and a
  lower-case `retry-after` that is 0 while tokens remain. DC sends no Reset header, so when the
  interval is given and no Reset is, the reset is taken to be one interval away: that is when the
  next tokens arrive.

- `RateLimit-Reason`: on Cloud's points-based quotas (OAuth 2.0 traffic since March 2026), which
  quota a 429 hit: `confluence-quota-global-based` or `confluence-quota-tenant-based` (values
  likely, docs/confluence-api.md). Such 429s are handled like every other; the reason is only
  counted (`RequestStats.rate_limited_by_reason`), so that a report can say which quota throttled.

A value that does not parse is ignored (None), never an error: a malformed header must not turn
a good response into a failure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from baton_confluence.baton.errors import RateLimitInfo

RATE_LIMIT_REASON = "RateLimit-Reason"

# A Reset value below this is read as "seconds from now" rather than a Unix time (1e9 s is 2001).
_EPOCH_THRESHOLD = 1e9
# A Reset value above this is read as epoch milliseconds.
_EPOCH_MS_THRESHOLD = 1e11
# Used only to keep date arithmetic finite; callers apply their own, much smaller, cap.
_MAX_SECONDS = 10 * 365 * 24 * 3600.0
# X-RateLimit-NearLimit is sent below 20 % of a budget; the same share counts when only
# Limit/Remaining are present (as on Data Center).
NEAR_LIMIT_SHARE = 0.2


@dataclass(frozen=True)
class RateLimitHeaders:
    """What one response said about the rate limit; None means absent or unreadable."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None
    near_limit: bool = False
    retry_after: float | None = None  # seconds; callers apply their own cap
    interval_seconds: int | None = None  # Data Center: tokens arrive once per interval
    fill_rate: int | None = None  # Data Center: tokens per interval

    @classmethod
    def parse(cls, headers: Mapping[str, str], now: datetime) -> RateLimitHeaders:
        """Read `headers` (an `httpx.Headers`, so that names match in any case)."""
        interval = _int(headers.get("x-ratelimit-interval-seconds"))
        reset_at = _reset_at(headers.get("x-ratelimit-reset"), now)
        if reset_at is None and interval:
            reset_at = now + timedelta(seconds=interval)
        return cls(
            limit=_int(headers.get("x-ratelimit-limit")),
            remaining=_int(headers.get("x-ratelimit-remaining")),
            reset_at=reset_at,
            near_limit=(headers.get("x-ratelimit-nearlimit") or "").strip().lower() == "true",
            retry_after=_retry_after(headers.get("retry-after"), now),
            interval_seconds=interval,
            fill_rate=_int(headers.get("x-ratelimit-fillrate")),
        )

    @property
    def present(self) -> bool:
        return (
            self.limit is not None
            or self.remaining is not None
            or self.reset_at is not None
            or self.near_limit
            or self.retry_after is not None
        )

    @property
    def nearly_exhausted(self) -> bool:
        """The site says, or Limit/Remaining show, that less than 20 % of the budget is left."""
        return self.nearly_exhausted_after(0)

    def nearly_exhausted_after(self, pending: int, burst: int = 0) -> bool:
        """As `nearly_exhausted`, once `pending` requests already on their way have each taken a
        token (Remaining was counted before they reached the site), or when fewer tokens are left
        than the `burst` of requests that may be in flight before the next answer arrives."""
        if self.near_limit:
            return True
        if self.remaining is None:
            return False
        reserve = self.limit * NEAR_LIMIT_SHARE if self.limit else 0.0
        return self.remaining - pending < reserve or self.remaining < burst

    def wait_seconds(self, now: datetime) -> float | None:
        """How long the site asked us to wait: Retry-After, else time until Reset; uncapped."""
        if self.retry_after is not None:
            return self.retry_after
        if self.reset_at is not None:
            return max(0.0, (self.reset_at - now).total_seconds())
        return None

    def to_info(self, now: datetime, *, overlimit: bool, max_wait: float) -> RateLimitInfo:
        """The RateLimitInfo a ConnectorError carries; the reset time is capped at `max_wait`."""
        wait = self.wait_seconds(now)
        reset_at = now + timedelta(seconds=min(wait, max_wait)) if wait is not None else None
        return RateLimitInfo(
            limit=self.limit or 0,
            remaining=0 if overlimit else (self.remaining or 0),
            reset_at=reset_at,
            overlimit=overlimit,
        )


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return None if math.isnan(number) else number


def _seconds(value: str) -> float | None:
    number = _number(value)
    return None if number is None else min(max(number, 0.0), _MAX_SECONDS)


def _retry_after(value: str | None, now: datetime) -> float | None:
    if value is None or not value.strip():
        return None
    seconds = _seconds(value.strip())
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - now).total_seconds(), 0.0), _MAX_SECONDS)


def _reset_at(value: str | None, now: datetime) -> datetime | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    number = _number(text)
    if number is None:
        return _iso_datetime(text)
    try:
        if number < _EPOCH_THRESHOLD:
            return now + timedelta(seconds=max(number, 0.0))
        if number > _EPOCH_MS_THRESHOLD:
            number /= 1000.0
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _iso_datetime(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
