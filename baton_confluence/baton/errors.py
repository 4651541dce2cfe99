"""The one error tree: every failure that is the user's (or the site's) to fix.

`BatonError` is its root. It carries a one-line message that names the problem and the fix,
and the exit code the command line ends with. Exit codes follow the Go SDK: the gRPC status code
of the failure (3 invalid argument, 7 permission denied, 14 unavailable, 16 unauthenticated...),
1 for an unusable c1z file (and for a bug), 2 for a usage or configuration error.

Every user-facing error derives from it: `UsageError` (a flag, setting or config file),
`ConnectorError` (a connector failure with a gRPC status code: the server sends it as a gRPC
status), the sync's `SyncError`, the c1z package's `C1ZError`, the connector's `SettingsError`,
inspect's `InspectError`, service mode's `ServiceError`. An exception outside the tree is a bug:
the command line says so ("please report") and keeps its traceback for the debug log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import grpc

EXIT_FAILURE = 1  # an unusable c1z file, or a bug
EXIT_USAGE = 2


def exit_code_of(code: grpc.StatusCode) -> int:
    """The exit code for a gRPC status code: its number, as the Go SDK exits (never 0)."""
    value = code.value[0]
    return value if isinstance(value, int) and value > 0 else EXIT_USAGE


class BatonError(Exception):
    """A failure the user can act on: `message` is one readable line, `exit_code` the process's."""

    exit_code: int = EXIT_FAILURE

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(BatonError):
    """A flag, setting or config file is missing or wrong; the message says which and how to fix it."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class RateLimitInfo:
    """What the remote API said about its rate limit (maps to c1.connector.v2.RateLimitDescription)."""

    limit: int = 0
    remaining: int = 0
    reset_at: datetime | None = None
    overlimit: bool = False


class ConnectorError(BatonError):
    """A failure with a gRPC status code; the server turns it into a gRPC status, the command
    line into that code's exit code.

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
        super().__init__(message, exit_code=exit_code_of(code))
        self.code = code
        self.rate_limit = rate_limit

    @property
    def retryable(self) -> bool:
        return self.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
