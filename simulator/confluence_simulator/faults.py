"""Deterministic fault injection: at most one fault per request, drawn from the fault seed.

Kinds: a 429 with or without Retry-After, a 503 with or without Retry-After, a connection reset
(the socket is closed without any response), a slow answer, and one truncated JSON body for the
first request under `truncate_once_path`. Draws use a private `random.Random(seed)` under a lock,
so a single client sees the same sequence on every run.
"""

from __future__ import annotations

import random
import threading

from confluence_simulator.spec import FaultSpec

FAULT_429 = "429"
FAULT_429_RETRY_AFTER = "429_retry_after"
FAULT_503 = "503"
FAULT_503_RETRY_AFTER = "503_retry_after"
FAULT_RESET = "reset"
FAULT_SLOW = "slow"
FAULT_TRUNCATE = "truncate"


class FaultInjector:
    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self._rng = random.Random(spec.seed)
        self._lock = threading.Lock()
        self._truncated = False
        self._table = (
            (FAULT_429, spec.p_429),
            (FAULT_429_RETRY_AFTER, spec.p_429_retry_after),
            (FAULT_503, spec.p_503),
            (FAULT_503_RETRY_AFTER, spec.p_503_retry_after),
            (FAULT_RESET, spec.p_reset),
            (FAULT_SLOW, spec.p_slow),
        )
        if sum(p for _, p in self._table) > 1.0:
            raise ValueError("fault probabilities add up to more than 1")

    def draw(self) -> str | None:
        """The fault for the next request, if any (before the request is served)."""
        if not self.spec.any:
            return None
        with self._lock:
            roll = self._rng.random()
        edge = 0.0
        for kind, probability in self._table:
            edge += probability
            if roll < edge:
                return kind
        return None

    def take_truncation(self, path: str) -> bool:
        """True exactly once: for the first response under `truncate_once_path`."""
        prefix = self.spec.truncate_once_path
        if prefix is None or not path.startswith(prefix):
            return False
        with self._lock:
            if self._truncated:
                return False
            self._truncated = True
            return True
