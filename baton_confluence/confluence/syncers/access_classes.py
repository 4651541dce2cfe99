"""Access classes: the principals of space permissions and role assignments that are neither an
account nor a group (docs/access-classes.md).

Confluence opens a space to anonymous users, to every licensed or signed-in user, and so on, by
naming a class instead of an identity: v2 space permissions use principal types other than
`user`/`group` (the schema's `role`, and the anonymous principal), role assignments use
`ACCESS_CLASS` with ids such as `anonymous-users`. Each class becomes one `access_class` resource
whose id is the class id as the site spells it. The site offers no listing of classes, so none
are listed: the sync engine fetches each one (`get`) the first time a grant names it.
"""

from __future__ import annotations

from google.protobuf import struct_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.syncer import Page, ResourceGetter, ResourceSyncer
from baton_confluence.confluence.resource_types import ACCESS_CLASS, access_class_type

# Display names of the class ids the v2 schema documents (role-assignment `principalId`), and of
# the anonymous principal as Data Center's permission sets report it.
ACCESS_CLASS_NAMES = {
    "anonymous-users": "Anonymous users",
    "anonymous": "Anonymous users",
    "unlicensed": "Unlicensed users",  # Data Center global permissions (syncers/site.py)
    "authenticated-users": "Authenticated users",
    "all-licensed-users": "All licensed users",
    "all-product-admins": "All product admins",
    "jsm-project-admins": "JSM project admins",
}


class AccessClassSyncer(ResourceSyncer, ResourceGetter):
    def resource_type(self) -> pb.resource.ResourceType:
        return access_class_type()

    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        return Page([])

    async def get(self, resource_id: pb.resource.ResourceId) -> pb.resource.Resource:
        return access_class_resource(resource_id.resource)

    async def entitlements(self, resource: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]:
        return Page([])

    async def grants(self, resource: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        return Page([])


def access_class_resource(class_id: str) -> pb.resource.Resource:
    name = ACCESS_CLASS_NAMES.get(class_id.lower(), class_id)
    profile = struct_pb2.Struct()
    profile.update({"access_class": class_id})
    return pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type=ACCESS_CLASS, resource=class_id),
        display_name=name,
        annotations=[ann.pack(pb.trait.GroupTrait())],
        profile=profile,
    )
