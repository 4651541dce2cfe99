"""Token-bucket rate limit with the headers Atlassian sends (FACTS.md §Transport, DC_FACTS.md).

Burst equals the rate (a full bucket holds `rps` tokens).

- Cloud style: an empty bucket answers 429 with `Retry-After` (whole seconds, at least 1),
  `X-RateLimit-Limit`, `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset` (ISO 8601, request time +
  Retry-After, minute precision as documented). Below 20 % of the bucket, responses carry
  `X-RateLimit-NearLimit: true`.
- Data Center style: every answer carries `X-RateLimit-Limit` (bucket size),
  `X-RateLimit-Remaining`, `X-RateLimit-Interval-Seconds` (1 here), `X-RateLimit-FillRate` (tokens
  per interval) and `retry-after`, 0 while tokens remain (confluence.atlassian.com/conf87).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

NEAR_LIMIT_FRACTION = 0.2


@dataclass
class Decision:
    allowed: bool
    headers: dict[str, str] = field(default_factory=dict)


STYLE_CLOUD = "cloud"
STYLE_DATACENTER = "datacenter"


class TokenBucket:
    def __init__(self, rps: float, style: str = STYLE_CLOUD, *, warns: bool = True) -> None:
        self.style = style
        self.warns = warns  # False: headers on 429s only (SiteSpec.rate_limit_warns)
        self.rate = rps
        self.capacity = max(1.0, rps)
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> Decision:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                remaining = self._tokens
                if not self.warns:
                    return Decision(True)
                if self.style == STYLE_DATACENTER:
                    return Decision(True, dc_headers(int(self.capacity), int(remaining), self.rate, 0))
                headers = {
                    "X-RateLimit-Limit": str(int(self.capacity)),
                    "X-RateLimit-Remaining": str(int(remaining)),
                }
                if remaining < NEAR_LIMIT_FRACTION * self.capacity:
                    headers["X-RateLimit-NearLimit"] = "true"
                return Decision(True, headers)
            wait = (1.0 - self._tokens) / self.rate
        retry_after = max(1, math.ceil(wait))
        return Decision(False, rate_limited_headers(int(self.capacity), retry_after, self.style, self.rate))


def dc_headers(limit: int, remaining: int, rate: float, retry_after: int) -> dict[str, str]:
    """Data Center's rate-limit headers (all of them on every answer)."""
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Interval-Seconds": "1",
        "X-RateLimit-FillRate": str(max(1, round(rate))),
        "retry-after": str(retry_after),
    }


def rate_limited_headers(
    limit: int | None, retry_after: int | None, style: str = STYLE_CLOUD, rate: float = 1.0
) -> dict[str, str]:
    """Headers of a 429. `retry_after` None models the 429s that come without Retry-After."""
    if style == STYLE_DATACENTER:
        return dc_headers(limit or 1, 0, rate, retry_after if retry_after is not None else 1)
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-NearLimit": "true"}
    if limit is not None:
        headers["X-RateLimit-Limit"] = str(limit)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
        reset = datetime.now(UTC) + timedelta(seconds=retry_after)
        headers["X-RateLimit-Reset"] = reset.strftime("%Y-%m-%dT%H:%MZ")
    return headers
