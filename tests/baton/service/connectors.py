"""Test connectors for service mode, built on the runtime tests' library connector."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import grpc
from google.protobuf import any_pb2

from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.syncer import Connector, GrantProvisioner, GrantResult
from tests.baton.sync.library_connector import TEAM, LibraryConnector, Teams, sample_library

REFUSED_PRINCIPAL = "u-refused"


@dataclass
class Calls:
    """What every connector built by one factory saw: provisioning calls and lifecycle."""

    grants: list[tuple[str, str]] = field(default_factory=list)  # (entitlement id, principal id)
    revokes: list[str] = field(default_factory=list)  # grant ids
    built: int = 0
    closed: int = 0


@dataclass
class ValidateGate:
    """A slow site without a clock: every Validate waits until `opened` is set (a gate never
    opened keeps a sync waiting until it is cancelled); `entered` is set once one is waiting."""

    opened: asyncio.Event = field(default_factory=asyncio.Event)
    entered: asyncio.Event = field(default_factory=asyncio.Event)


class ProvisionedTeams(Teams, GrantProvisioner):
    """Team membership that can be granted and revoked; one principal is always refused."""

    calls: Calls

    async def grant(self, principal: pb.resource.Resource, entitlement: pb.entitlement.Entitlement) -> GrantResult:
        if principal.id.resource == REFUSED_PRINCIPAL:
            raise ConnectorError(grpc.StatusCode.PERMISSION_DENIED, "the site refused the grant")
        self.calls.grants.append((entitlement.id, principal.id.resource))
        granted = pb.grant.Grant(id=f"{entitlement.id}:{principal.id.resource_type}:{principal.id.resource}")
        granted.entitlement.CopyFrom(entitlement)
        granted.principal.CopyFrom(principal)
        note = any_pb2.Any()
        note.Pack(pb.connector.ConnectorMetadata(display_name="granted"))
        return GrantResult(grants=[granted], annotations=[note])

    async def revoke(self, grant: pb.grant.Grant) -> list[any_pb2.Any]:
        self.calls.revokes.append(grant.id)
        return []


class TestLibrary(LibraryConnector):
    """The library connector with provisionable teams, an optionally gated Validate, and call records."""

    __test__ = False

    def __init__(
        self, calls: Calls, validate_gate: ValidateGate | None = None, validate_error: ConnectorError | None = None
    ) -> None:
        super().__init__(sample_library())
        self.calls = calls
        self.validate_gate = validate_gate
        self.validate_error = validate_error
        teams = ProvisionedTeams(sample_library(), 2, self.faults, TEAM)
        teams.calls = calls
        self._syncers = [teams if s.resource_type().id == "team" else s for s in self._syncers]
        calls.built += 1

    async def validate(self) -> list[any_pb2.Any]:
        if self.validate_gate is not None:
            self.validate_gate.entered.set()
            await self.validate_gate.opened.wait()
        if self.validate_error is not None:
            raise self.validate_error
        return []

    async def close(self) -> None:
        self.calls.closed += 1


def library_factory(
    calls: Calls, validate_gate: ValidateGate | None = None, validate_error: ConnectorError | None = None
) -> Callable[[], Connector]:
    return lambda: TestLibrary(calls, validate_gate, validate_error)
