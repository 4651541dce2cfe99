"""One-shot Grant and Revoke, with the entitlement, principal and grant read from a c1z file.

As upstream, the file is only read: the change shows up in the next sync.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import grpc
from google.protobuf import any_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.c1z.reader import C1ZReader
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.runner.local_sync import served
from baton_confluence.baton.syncer import Connector


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


def _as_connector_error(err: grpc.aio.AioRpcError) -> ConnectorError:
    return ConnectorError(err.code(), err.details() or err.code().name)


async def grant_from_file(
    connector: Connector, path: Path, entitlement_id: str, principal_type: str, principal_id: str
) -> pb.grant.GrantManagerServiceGrantResponse:
    try:
        request = _load_grant_request(path, entitlement_id, principal_type, principal_id)
        async with served(connector, provisioning=True) as client:
            response: pb.grant.GrantManagerServiceGrantResponse = await client.grant_manager.Grant(request)
            return response
    except grpc.aio.AioRpcError as err:
        raise _as_connector_error(err) from None
    finally:
        await connector.close()


async def revoke_from_file(
    connector: Connector, path: Path, grant_id: str
) -> pb.grant.GrantManagerServiceRevokeResponse:
    try:
        request = _load_revoke_request(path, grant_id)
        async with served(connector, provisioning=True) as client:
            response: pb.grant.GrantManagerServiceRevokeResponse = await client.grant_manager.Revoke(request)
            return response
    except grpc.aio.AioRpcError as err:
        raise _as_connector_error(err) from None
    finally:
        await connector.close()


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
