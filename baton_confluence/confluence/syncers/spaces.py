"""Spaces: the listing (with its filters) and, in non-RBAC mode, permission entitlements/grants.

In RBAC mode a space carries `ChildResourceType{space_role_assignment}` so the engine lists its
role bindings, and has no permission entitlements or grants (the two modes never mix, as upstream).
"""

from __future__ import annotations

import grpc
from google.protobuf import struct_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.syncer import Page, ResourceGetter, ResourceSyncer
from baton_confluence.confluence.client import Space
from baton_confluence.confluence.grants import rate_limit_annotations
from baton_confluence.confluence.provisioning.space_permissions import SpacePermissionProvisioner
from baton_confluence.confluence.resource_types import SPACE, SPACE_ROLE_ASSIGNMENT, space_type
from baton_confluence.confluence.syncers.context import SyncContext
from baton_confluence.confluence.syncers.listings import remember_space_name
from baton_confluence.confluence.syncers.restricted_content import announce_content
from baton_confluence.confluence.syncers.space_filter import SpaceFilter
from baton_confluence.confluence.syncers.space_permissions import permission_entitlements, permission_grants


class SpaceSyncer(ResourceSyncer, ResourceGetter, SpacePermissionProvisioner):
    ctx: SyncContext  # the provisioner mixin reads it as a ProvisioningContext

    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx
        self.filter = SpaceFilter(ctx.options)
        self.rbac = ctx.options.use_rbac

    def resource_type(self) -> pb.resource.ResourceType:
        return space_type()

    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        if parent is not None:
            return Page([])
        page = await self.ctx.api.list_spaces(
            token, status=self.filter.request_status(), keys=self.filter.request_keys()
        )
        resources = []
        for space in page.items:
            if not self.filter.wants(space):
                continue
            resource = space_resource(space, rbac=self.rbac)
            if self.rbac:
                remember_space_name(self.ctx, resource.id.resource, resource.display_name)
            if self.ctx.options.sync_restricted_content:
                announce_content(self.ctx, resource, space.key)
            resources.append(resource)
        return Page(resources, page.next_token, rate_limit_annotations(page.rate_limit))

    async def get(self, resource_id: pb.resource.ResourceId) -> pb.resource.Resource:
        """One space by id (GET /spaces/{id}); NOT_FOUND when the site has no such space, or when
        the space filters leave it out, as they leave it out of the listing."""
        space = await self.ctx.api.get_space(resource_id.resource)
        if space is None:
            raise ConnectorError(grpc.StatusCode.NOT_FOUND, f"baton-confluence: no space {resource_id.resource}")
        flag = self.filter.excluded_by(space)
        if flag is not None:
            raise ConnectorError(
                grpc.StatusCode.NOT_FOUND,
                f"baton-confluence: space {space.id} ({space.key}) is left out by {flag}; nothing is synced for it",
            )
        resource = space_resource(space, rbac=self.rbac)
        if self.rbac:
            # As the listing does: its role bindings are named from this, not from a second fetch.
            remember_space_name(self.ctx, resource.id.resource, resource.display_name)
        if self.ctx.options.sync_restricted_content:
            announce_content(self.ctx, resource, space.key)
        return resource

    async def entitlements(self, resource: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]:
        if self.rbac:
            return Page([])
        return Page(permission_entitlements(resource, self.ctx.catalog))

    async def grants(self, resource: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        if self.rbac:
            return Page([])
        return await permission_grants(self.ctx, resource, token)


def space_resource(space: Space, *, rbac: bool) -> pb.resource.Resource:
    profile = struct_pb2.Struct()
    # Upstream kept no profile; key, type and status save provisioning a lookup and show scope.
    profile.update({"space_key": space.key, "space_type": space.type, "space_status": space.status})
    resource = pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type=SPACE, resource=space.id),
        display_name=space.name or space.key or space.id,
        profile=profile,
    )
    if rbac:
        resource.annotations.append(
            ann.pack(pb.resource_tree.ChildResourceType(resource_type_id=SPACE_ROLE_ASSIGNMENT))
        )
    return resource
