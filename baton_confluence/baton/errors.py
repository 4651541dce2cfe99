"""Errors a connector raises, carrying the gRPC status code the protocol needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import grpc


@dataclass(frozen=True)
class RateLimitInfo:
    """What the remote API said about its rate limit (maps to c1.connector.v2.RateLimitDescription)."""

    limit: int = 0
    remaining: int = 0
    reset_at: datetime | None = None
    overlimit: bool = False


class ConnectorError(Exception):
    """A failure with a gRPC status code; the server turns it into a gRPC status.

    `rate_limit` travels as a RateLimitDescription status detail so that the sync engine
    (ours or Go's) can wait the right amount of time before retrying.
    """

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        *,
        rate_limit: RateLimitInfo | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.rate_limit = rate_limit

    def __str__(self) -> str:
        return self.message

    @property
    def retryable(self) -> bool:
        return self.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
