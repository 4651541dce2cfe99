"""One-shot Grant and Revoke, with the entitlement, principal and grant read from a c1z file.

As upstream, the file is only read: the change shows up in the next sync.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

import grpc
from google.protobuf import any_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.c1z import C1ZReader
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.runner.local_sync import served
from baton_confluence.baton.sync.client import ConnectorClient
from baton_confluence.baton.syncer import Connector

Q = TypeVar("Q")
R = TypeVar("R")


def _missing(what: str, path: Path) -> ConnectorError:
    return ConnectorError(grpc.StatusCode.NOT_FOUND, f"{what} is not in {path}; run a sync first or check the id")


def _load_grant_request(
    path: Path, entitlement_id: str, principal_type: str, principal_id: str
) -> pb.grant.GrantManagerServiceGrantRequest:
    with C1ZReader.open(path) as reader:
        entitlement = reader.get_entitlement(entitlement_id)
        if entitlement is None:
            raise _missing(f"entitlement {entitlement_id!r}", path)
        resource = reader.get_resource(entitlement.resource.id.resource_type, entitlement.resource.id.resource)
        if resource is not None:
            entitlement.resource.CopyFrom(resource)
        grantable = [rt.id for rt in entitlement.grantable_to]
        if grantable and principal_type not in grantable:
            raise ConnectorError(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"entitlement {entitlement_id} can be granted to {', '.join(grantable)}, not to {principal_type!r}",
            )
        principal = reader.get_resource(principal_type, principal_id)
        if principal is None:
            raise _missing(f"principal {principal_type}:{principal_id}", path)
    return pb.grant.GrantManagerServiceGrantRequest(entitlement=entitlement, principal=principal)


def _load_revoke_request(path: Path, grant_id: str) -> pb.grant.GrantManagerServiceRevokeRequest:
    with C1ZReader.open(path) as reader:
        grant = reader.get_grant(grant_id)
        if grant is None:
            raise _missing(f"grant {grant_id!r}", path)
        entitlement = reader.get_entitlement(grant.entitlement.id)
        if entitlement is not None:
            grant.entitlement.CopyFrom(entitlement)
        resource = reader.get_resource(
            grant.entitlement.resource.id.resource_type, grant.entitlement.resource.id.resource
        )
        if resource is not None:
            grant.entitlement.resource.CopyFrom(resource)
        principal = reader.get_resource(grant.principal.id.resource_type, grant.principal.id.resource)
        if principal is not None:
            grant.principal.CopyFrom(principal)
    return pb.grant.GrantManagerServiceRevokeRequest(grant=grant)


async def _call(connector: Connector, load: Callable[[], Q], rpc: Callable[[ConnectorClient, Q], Awaitable[R]]) -> R:
    """Read the request from the file, then make one GrantManagerService call on the connector
    served with provisioning on; the connector is closed either way."""
    try:
        request = load()
        async with served(connector, provisioning=True) as client:
            return await rpc(client, request)
    except grpc.aio.AioRpcError as err:
        raise ConnectorError(err.code(), err.details() or err.code().name) from None
    finally:
        await connector.close()


async def grant_from_file(
    connector: Connector, path: Path, entitlement_id: str, principal_type: str, principal_id: str
) -> pb.grant.GrantManagerServiceGrantResponse:
    return await _call(
        connector,
        lambda: _load_grant_request(path, entitlement_id, principal_type, principal_id),
        lambda client, request: client.grant_manager.Grant(request),
    )


async def revoke_from_file(
    connector: Connector, path: Path, grant_id: str
) -> pb.grant.GrantManagerServiceRevokeResponse:
    return await _call(
        connector,
        lambda: _load_revoke_request(path, grant_id),
        lambda client, request: client.grant_manager.Revoke(request),
    )


def already(annotations: Sequence[any_pb2.Any]) -> str:
    """'' or a note saying the change was already in place, plus any side-effect warning."""
    found = list(annotations)
    note = ""
    if ann.has(found, pb.grant_annotations.GrantAlreadyExists):
        note = " (it was already granted)"
    elif ann.has(found, pb.grant_annotations.GrantAlreadyRevoked):
        note = " (it was already revoked)"
    warning = side_effect_warning(found)
    return f"{note}; warning: {warning}" if warning else note


def side_effect_warning(annotations: Sequence[any_pb2.Any]) -> str:
    """The `warning` a connector put in a GrantMetadata annotation (what else the change did), or ''."""
    found = ann.find(annotations, pb.grant_annotations.GrantMetadata)
    if found is None or "warning" not in found.metadata.fields:
        return ""
    return found.metadata.fields["warning"].string_value
