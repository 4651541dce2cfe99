"""What Validate found: one readable line per problem, each with its fix.

A hard failure (cannot sign in, cannot list spaces, an impossible mode) raises `ConnectorError`:
nothing useful could be synced. Anything else is a `Finding`: logged as a warning and returned
as a `google.rpc.LocalizedMessage` annotation on the Validate response (the standard message for
"a human-readable message safe to show the user"), so C1 and the CLI can show it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import grpc
import structlog
from google.protobuf import any_pb2
from google.rpc import error_details_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import EndpointGone, MissingScopeError

log = structlog.get_logger("baton_confluence.confluence.validation")

PREFIX = "baton-confluence"
_HTTP_STATUS = re.compile(r"HTTP (\d{3})")


@dataclass(frozen=True)
class Finding:
    problem: str  # e.g. "cannot list groups (403)"
    fix: str  # e.g. "give the account the Confluence administrator global permission"

    @property
    def line(self) -> str:
        return f"{self.problem}: {self.fix}"

    def annotation(self) -> any_pb2.Any:
        return ann.pack(error_details_pb2.LocalizedMessage(locale="en-US", message=self.line))


def report(findings: list[Finding]) -> list[any_pb2.Any]:
    """Log each finding once and return them as Validate response annotations."""
    for finding in findings:
        log.warning("confluence_validate_finding", finding=finding.line)
    return [finding.annotation() for finding in findings]


def failure(code: grpc.StatusCode, problem: str, fix: str) -> ConnectorError:
    """A hard failure, worded like a finding: `baton-confluence: validate: <problem>; <fix>`."""
    return ConnectorError(code, f"{PREFIX}: validate: {problem}; {fix}")


def http_status_of(err: ConnectorError) -> str:
    """The HTTP status behind a client error ("403"), or the gRPC code's name when there was none;
    for a token without the scope a call needs, the scope too (Cloud through the API gateway)."""
    match = _HTTP_STATUS.search(err.message)
    status = match.group(1) if match else err.code.name.lower()
    if isinstance(err, MissingScopeError):
        needed = " or ".join(err.scopes) or "a scope the call needs"
        return f"{status}, the credential lacks scope {needed}"
    return status


def inner(err: ConnectorError) -> str:
    """The client's message without its prefix, to nest it in ours."""
    return err.message.removeprefix(f"{PREFIX}: ")


def fix_for(err: ConnectorError, fix: str) -> str:
    """The fix a probe's failure calls for: `fix`, unless the endpoint is retired for these
    credentials (410) and the client knows what to do instead."""
    return err.fix if isinstance(err, EndpointGone) and err.fix else fix
