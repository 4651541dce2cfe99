"""Request accounting: what the client sent, so tests and benchmarks can check the traffic.

Calls are counted per URL key (`METHOD /path?sorted-query`, secrets hidden) once per logical
call, however many attempts it took; attempts, retries and statuses are counted separately.
So `stats.repeated()` being empty proves that no listing page was fetched twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class RequestStats:
    total: int = 0  # HTTP attempts sent, retries included
    calls: int = 0  # logical calls (one per get_json/post_json/... invocation)
    retries: int = 0  # attempts beyond each call's first
    rate_limited: int = 0  # 429 responses
    # 429s by their RateLimit-Reason header (Cloud's points-based quotas; '' when none was sent)
    rate_limited_by_reason: Counter[str] = field(default_factory=Counter)
    transport_errors: int = 0  # attempts that got no HTTP response
    by_status: Counter[int] = field(default_factory=Counter)
    by_url: Counter[str] = field(default_factory=Counter)

    def record_call(self, key: str) -> None:
        self.calls += 1
        self.by_url[key] += 1

    def record_attempt(self, *, retry: bool) -> None:
        self.total += 1
        if retry:
            self.retries += 1

    def record_status(self, status: int, rate_limit_reason: str = "") -> None:
        self.by_status[status] += 1
        if status == 429:
            self.rate_limited += 1
            self.rate_limited_by_reason[rate_limit_reason] += 1

    def record_transport_error(self) -> None:
        self.transport_errors += 1

    def repeated(self, method: str = "GET") -> dict[str, int]:
        """URL keys of `method` that were called more than once, with their counts."""
        prefix = f"{method.upper()} "
        return {key: count for key, count in self.by_url.items() if key.startswith(prefix) and count > 1}

    def snapshot(self) -> dict[str, object]:
        """A plain-data copy for benchmark reports."""
        return {
            "total": self.total,
            "calls": self.calls,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "rate_limited_by_reason": dict(self.rate_limited_by_reason),
            "transport_errors": self.transport_errors,
            "by_status": dict(self.by_status),
            "by_url": dict(self.by_url),
        }
