"""Groups, their `member` entitlement, and membership grants to every member (any account type).

Group list pages and member pages come from the shared cache: the user listing reads the same
pages, and whichever reader comes first pays for the request.
"""

from __future__ import annotations

from google.protobuf import struct_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.ids import entitlement_id
from baton_confluence.baton.syncer import Page, ResourceGetter, ResourceSyncer
from baton_confluence.confluence.client import Group
from baton_confluence.confluence.grants import GROUP_MEMBER_SLUG, grant_expanding_groups
from baton_confluence.confluence.provisioning.group_membership import GroupMemberProvisioner
from baton_confluence.confluence.resource_types import GROUP, USER, group_type, user_type
from baton_confluence.confluence.sync_data import Reader
from baton_confluence.confluence.syncers.context import SyncContext
from baton_confluence.confluence.syncers.listings import group_page, member_page


class GroupSyncer(ResourceSyncer, ResourceGetter, GroupMemberProvisioner):
    ctx: SyncContext  # the provisioner mixin reads it as a ProvisioningContext

    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx

    def resource_type(self) -> pb.resource.ResourceType:
        return group_type()

    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        if parent is not None:
            return Page([])
        page = await group_page(self.ctx, token, Reader.GROUP_LISTING)
        return Page([group_resource(g) for g in page.items], page.next_token)

    async def get(self, resource_id: pb.resource.ResourceId) -> pb.resource.Resource:
        """A group a grant names that the group listing did not return; deleted when the site
        answers 404 (a role assignment can outlive its group)."""
        found = await self.ctx.api.get_group(resource_id.resource)
        if found is None or found.id != resource_id.resource:
            resource = group_resource(Group(id=resource_id.resource, name=resource_id.resource, type=""))
            resource.status.status = pb.resource.Status.RESOURCE_STATUS_DELETED
            return resource
        return group_resource(found)

    async def entitlements(self, resource: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]:
        return Page([member_entitlement(resource)])

    async def grants(self, resource: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        page = await member_page(self.ctx, resource.id.resource, token, Reader.GROUP_GRANTS)
        grants = [grant_expanding_groups(resource, GROUP_MEMBER_SLUG, USER, user.id) for user in page.items]
        return Page(grants, page.next_token)


def group_resource(group: Group) -> pb.resource.Resource:
    profile = struct_pb2.Struct()
    profile.update({"group_id": group.id, "group_name": group.name, "group_type": group.type})
    return pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type=GROUP, resource=group.id),
        display_name=group.name,
        annotations=[ann.pack(pb.trait.GroupTrait())],
        profile=profile,
    )


def member_entitlement(group: pb.resource.Resource) -> pb.entitlement.Entitlement:
    name = group.display_name
    return pb.entitlement.Entitlement(
        id=entitlement_id(GROUP, group.id.resource, GROUP_MEMBER_SLUG),
        resource=group,
        display_name=f"{name} Group Member",
        description=f"Is member of the {name} group in Confluence",
        slug=GROUP_MEMBER_SLUG,
        purpose=pb.entitlement.Entitlement.PurposeValue.PURPOSE_VALUE_ASSIGNMENT,
        grantable_to=[user_type()],
    )
