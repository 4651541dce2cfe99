"""The runtime's NewGrant-shaped builder."""

from __future__ import annotations

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.grant import new_grant


def test_new_grant_carries_the_full_resource_and_a_principal_stub() -> None:
    group = pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type="group", resource="g-1"),
        display_name="Admins",
        annotations=[ann.pack(pb.trait.GroupTrait())],
    )
    grant = new_grant(group, "member", "user", "557058:abc")
    assert grant == pb.grant.Grant(
        id="group:g-1:member:user:557058:abc",
        entitlement=pb.entitlement.Entitlement(id="group:g-1:member", resource=group),
        principal=pb.resource.Resource(id=pb.resource.ResourceId(resource_type="user", resource="557058:abc")),
    )
    grant.entitlement.resource.display_name = "changed"
    assert group.display_name == "Admins"  # the caller's resource is copied, not shared
