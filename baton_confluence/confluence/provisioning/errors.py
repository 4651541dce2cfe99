"""Provisioning errors: gRPC codes, and messages that say which grant failed and how to fix it.

The client's errors name the HTTP request (`POST /wiki/rest/api/space/ENG/permission: HTTP 403
...`); an operator reading a failed Grant in C1 needs the entitlement and principal too, and a hint
for the usual causes (missing admin rights, an object deleted since the last sync).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import grpc

from baton_confluence.baton.errors import ConnectorError

PREFIX = "baton-confluence"

Hints = Mapping[grpc.StatusCode, str]


def invalid_argument(problem: str) -> ConnectorError:
    return ConnectorError(grpc.StatusCode.INVALID_ARGUMENT, f"{PREFIX}: {problem}")


def failed_precondition(problem: str) -> ConnectorError:
    return ConnectorError(grpc.StatusCode.FAILED_PRECONDITION, f"{PREFIX}: {problem}")


def inner(err: ConnectorError) -> str:
    """The message without our prefix, to nest it in another one."""
    return err.message.removeprefix(f"{PREFIX}: ")


@contextmanager
def described(action: str, hints: Hints) -> Iterator[None]:
    """Re-raise API errors as `<action>: <API error>[; <hint for its code>]`, code unchanged.

    The code is kept so that callers still retry UNAVAILABLE and recognise NOT_FOUND; the
    rate-limit details travel on too.
    """
    try:
        yield
    except ConnectorError as err:
        hint = hints.get(err.code)
        message = f"{PREFIX}: {action}: {inner(err)}" + (f"; {hint}" if hint else "")
        raise ConnectorError(err.code, message, rate_limit=err.rate_limit) from err
