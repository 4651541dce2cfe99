"""The site's space roles, as role resources (no entitlements or grants of their own).

Listed in both modes, as the Go connector lists them: the role catalogue is part of what a
reviewer needs even when assignments are not synced (those stay opt-in with `--use-rbac`), and a
space permission can name a role as its principal. Listed only at top level. A site whose role
endpoints answer 404 (roles off, or the beta expired) yields no roles: a warning with
`--use-rbac` (Validate reports it as an error before a sync starts), an info line otherwise.
"""

from __future__ import annotations

import grpc
import structlog
from google.protobuf import struct_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.syncer import Page, ResourceGetter, ResourceSyncer
from baton_confluence.confluence.client import SpaceRole
from baton_confluence.confluence.resource_types import SPACE_ROLE, space_role_type
from baton_confluence.confluence.sync_data import Reader
from baton_confluence.confluence.syncers.context import SyncContext
from baton_confluence.confluence.syncers.listings import role_catalog, role_page

log = structlog.get_logger("baton_confluence.confluence.syncers.space_roles")


class SpaceRoleSyncer(ResourceSyncer, ResourceGetter):
    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx

    def resource_type(self) -> pb.resource.ResourceType:
        return space_role_type()

    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        if parent is not None:
            return Page([])
        try:
            page = await role_page(self.ctx, token, Reader.ROLE_LISTING)
        except ConnectorError as err:
            if err.code != grpc.StatusCode.NOT_FOUND:
                raise
            say = log.warning if self.ctx.options.use_rbac else log.info
            say("confluence_space_roles_unavailable", error=err.message)
            return Page([])
        return Page([space_role_resource(role) for role in page.items], page.next_token)

    async def get(self, resource_id: pb.resource.ResourceId) -> pb.resource.Resource:
        """A role a grant names: from the catalogue, else deleted (the role was removed since)."""
        for role in await role_catalog(self.ctx):
            if role.id == resource_id.resource:
                return space_role_resource(role)
        resource = space_role_resource(
            SpaceRole(id=resource_id.resource, name=resource_id.resource, description="", space_permissions=())
        )
        resource.status.status = pb.resource.Status.RESOURCE_STATUS_DELETED
        return resource

    async def entitlements(self, resource: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]:
        return Page([])

    async def grants(self, resource: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        return Page([])


def space_role_resource(role: SpaceRole) -> pb.resource.Resource:
    profile = struct_pb2.Struct()
    profile.update({"description": role.description, "space_permissions": list(role.space_permissions)})
    return pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type=SPACE_ROLE, resource=role.id),
        display_name=role.name,
        description=role.description,
        annotations=[ann.pack(pb.trait.RoleTrait())],
        profile=profile,
    )
