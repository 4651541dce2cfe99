"""RBAC: the site's space roles, as role resources (no entitlements or grants of their own).

Listed only at top level. A site whose role endpoints answer 404 (RBAC off or its beta grant
expired) yields no roles and a warning, as upstream; Validate reports that case as an error
before a sync starts.
"""

from __future__ import annotations

import grpc
import structlog
from google.protobuf import struct_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.syncer import Page, ResourceSyncer
from baton_confluence.confluence.syncers.context import SyncContext
from baton_confluence.confluence.syncers.listings import RoleRecord, role_page
from baton_confluence.confluence.syncers.resource_types import SPACE_ROLE, space_role_type

log = structlog.get_logger("baton_confluence.confluence.syncers.space_roles")


class SpaceRoleSyncer(ResourceSyncer):
    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx

    def resource_type(self) -> pb.resource.ResourceType:
        return space_role_type()

    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        if parent is not None:
            return Page([])
        try:
            page = await role_page(self.ctx, token)
        except ConnectorError as err:
            if err.code != grpc.StatusCode.NOT_FOUND:
                raise
            log.warning("confluence_space_roles_unavailable", error=err.message)
            return Page([])
        return Page([space_role_resource(role) for role in page["items"]], page["next"])

    async def entitlements(self, resource: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]:
        return Page([])

    async def grants(self, resource: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        return Page([])


def space_role_resource(role: RoleRecord) -> pb.resource.Resource:
    profile = struct_pb2.Struct()
    profile.update({"description": role["description"], "space_permissions": list(role["space_permissions"])})
    return pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type=SPACE_ROLE, resource=role["id"]),
        display_name=role["name"],
        description=role["description"],
        annotations=[ann.pack(pb.trait.RoleTrait())],
        profile=profile,
    )
