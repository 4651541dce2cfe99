"""Turning failures into one readable line and an exit code that means something.

Exit codes follow the Go SDK: the gRPC status code of the failure (3 invalid argument,
7 permission denied, 14 unavailable, 16 unauthenticated, ...), plus 1 for an unusable c1z file
and 2 for a usage or configuration error.
"""

from __future__ import annotations

import grpc
import pydantic

from baton_confluence.baton.c1z.errors import C1ZError
from baton_confluence.baton.config.settings import ConfigFileError
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.logsetup import REDACTOR
from baton_confluence.baton.sync.client import SyncError

EXIT_C1Z = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A flag or setting is missing or wrong; the message says which and how to fix it."""


def describe(err: BaseException) -> tuple[str, int]:
    """(one line for the user, exit code)."""
    if isinstance(err, ConnectorError | SyncError):
        return err.message if isinstance(err, ConnectorError) else str(err), _code(err.code)
    if isinstance(err, C1ZError):
        return str(err), EXIT_C1Z
    if isinstance(err, UsageError | ConfigFileError | ValueError) and not isinstance(err, pydantic.ValidationError):
        return str(err), EXIT_USAGE
    if isinstance(err, pydantic.ValidationError):
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]).replace("_", "-")
        return f"invalid setting --{where}: {first['msg']}", EXIT_USAGE
    if isinstance(err, OSError):
        return f"{type(err).__name__}: {err}", EXIT_C1Z
    return f"unexpected {type(err).__name__}: {err}", _code(grpc.StatusCode.UNKNOWN)


def _code(code: grpc.StatusCode) -> int:
    value = code.value[0]
    return value if isinstance(value, int) and value > 0 else 2


def one_line(err: BaseException) -> tuple[str, int]:
    message, code = describe(err)
    return REDACTOR.text(" ".join(message.split())), code
