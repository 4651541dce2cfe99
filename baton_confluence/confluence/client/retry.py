"""When to try a request again, and how long to wait first.

Follows Atlassian's advice (app-migration "Rate limiting and retries"): exponential backoff with
jitter and a maximum delay; retry 429, 408, 500, 502, 503, 504 and network failures, and only
requests that are safe to repeat.

- GET, PUT and DELETE are idempotent: any transient failure is retried, including a read
  timeout, a reset connection or a truncated body, where the server may already have acted.
- POST is retried only when it certainly was not applied: a 429, or a failure before the request
  left (connect error or timeout, no free pooled connection). A POST that got a 500 or lost its
  connection mid-way is reported, not repeated: it might have taken effect.
- A TLS verification failure is never retried: it fails the same way every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

from baton_confluence.confluence.client.errors import is_tls_verify_failure

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Failures that happen before any byte of the request reaches the server.
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 0.2
    max_delay: float = 10.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def backoff(self, failed_attempts: int, rng: random.Random) -> float:
        """Delay before the next attempt: 'equal jitter' over an exponential, capped ceiling.

        Half the ceiling is fixed (so a retry never fires immediately), half random (so many
        clients that failed together do not retry together).
        """
        ceiling = min(self.max_delay, self.base_delay * 2 ** (failed_attempts - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)

    @staticmethod
    def retry_status(method: str, status: int, *, idempotent: bool | None = None) -> bool:
        if status not in RETRYABLE_STATUSES:
            return False
        return status == 429 or _idempotent(method, idempotent)

    @staticmethod
    def retry_error(method: str, exc: httpx.TransportError, *, idempotent: bool | None = None) -> bool:
        if is_tls_verify_failure(exc):
            return False
        return isinstance(exc, NOT_SENT_ERRORS) or _idempotent(method, idempotent)

    @staticmethod
    def retry_bad_body(method: str, *, idempotent: bool | None = None) -> bool:
        return _idempotent(method, idempotent)


def _idempotent(method: str, override: bool | None) -> bool:
    """`override` lets a caller vouch for a POST that is a declarative "set" (safe to replay)."""
    return override if override is not None else method.upper() in IDEMPOTENT_METHODS
