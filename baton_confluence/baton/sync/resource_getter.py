"""Fetching one resource with GetResource: a sync's targets and the principals its grants name."""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from baton_confluence.baton import pb
from baton_confluence.baton.sync.client import ConnectorClient, StepNotFound, SyncError


@dataclass(frozen=True)
class NotFetched:
    """GetResource gave no resource; `reason` is the connector's NOT_FOUND message, if it sent one."""

    reason: str = ""


async def get_resource(
    client: ConnectorClient, resource_id: pb.resource.ResourceId, parent: pb.resource.ResourceId | None = None
) -> pb.resource.Resource | NotFetched:
    """GetResource; NotFetched when the connector does not know the resource or cannot fetch its type."""
    name = f"{resource_id.resource_type}:{resource_id.resource}"
    request = pb.resource.ResourceGetterServiceGetResourceRequest(resource_id=resource_id)
    if parent is not None:
        request.parent_resource_id.CopyFrom(parent)
    try:
        resp = await client.call(f"GetResource({name})", client.resource_getter.GetResource, request)
    except StepNotFound as err:
        return NotFetched(err.details)
    except SyncError as err:
        if err.code != grpc.StatusCode.UNIMPLEMENTED:
            raise
        return NotFetched()
    if not resp.resource.id.resource:
        return NotFetched()
    got = resp.resource.id
    if (got.resource_type, got.resource) != (resource_id.resource_type, resource_id.resource):
        raise SyncError(f"GetResource({name}) returned {got.resource_type}:{got.resource}: a connector bug")
    return resp.resource
