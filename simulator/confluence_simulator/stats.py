"""Thread-safe request counters a test or benchmark reads after driving the site."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StatsSnapshot:
    total_requests: int
    by_request: dict[tuple[str, str], int]  # (method, path with query) -> count
    rate_limited: int  # 429s sent by the token bucket (not injected ones)
    faults: dict[str, int]  # injected fault kind -> count
    peak_in_flight: int
    statuses: dict[int, int]  # HTTP status sent -> count (resets send none)
    # (listener, credential kind) -> requests: "site"/"gateway", credential_kinds.py
    credentials: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def sent_429(self) -> int:
        """Every 429 sent: the token bucket's and the injected ones."""
        return self.statuses.get(429, 0)

    @property
    def faults_injected(self) -> int:
        return sum(self.faults.values())

    def count(self, method: str, path_prefix: str) -> int:
        """Requests of `method` whose path-with-query starts with `path_prefix`."""
        return sum(n for (m, p), n in self.by_request.items() if m == method and p.startswith(path_prefix))


@dataclass
class SiteStats:
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _total: int = 0
    _by_request: Counter[tuple[str, str]] = field(default_factory=Counter)
    _rate_limited: int = 0
    _faults: Counter[str] = field(default_factory=Counter)
    _in_flight: int = 0
    _peak: int = 0
    _statuses: Counter[int] = field(default_factory=Counter)
    _credentials: Counter[tuple[str, str]] = field(default_factory=Counter)

    def begin(self, method: str, target: str) -> None:
        with self._lock:
            self._total += 1
            self._by_request[(method, target)] += 1
            self._in_flight += 1
            self._peak = max(self._peak, self._in_flight)

    def end(self, status: int | None) -> None:
        with self._lock:
            self._in_flight -= 1
            if status is not None:
                self._statuses[status] += 1

    def rate_limited(self) -> None:
        with self._lock:
            self._rate_limited += 1

    def credential(self, listener: str, kind: str) -> None:
        with self._lock:
            self._credentials[(listener, kind)] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def reset(self) -> None:
        with self._lock:
            self._total = 0
            self._by_request.clear()
            self._rate_limited = 0
            self._faults.clear()
            self._statuses.clear()
            self._credentials.clear()
            self._peak = self._in_flight

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            return StatsSnapshot(
                total_requests=self._total,
                by_request=dict(self._by_request),
                rate_limited=self._rate_limited,
                faults=dict(self._faults),
                peak_in_flight=self._peak,
                statuses=dict(self._statuses),
                credentials=dict(self._credentials),
            )

    # Convenience read-only views (each takes the lock once).
    @property
    def total_requests(self) -> int:
        return self.snapshot().total_requests

    @property
    def rate_limited_count(self) -> int:
        return self.snapshot().rate_limited

    @property
    def faults_injected(self) -> int:
        return self.snapshot().faults_injected

    @property
    def peak_in_flight(self) -> int:
        return self.snapshot().peak_in_flight
