"""The runtime's NewGrant-shaped builder."""

from __future__ import annotations

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.grant import is_lean, lean_entitlement, new_grant


def test_new_grant_embeds_a_lean_entitlement_and_a_principal_stub() -> None:
    group = pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type="group", resource="g-1"),
        display_name="Admins",
        annotations=[ann.pack(pb.trait.GroupTrait())],
    )
    grant = new_grant(group, "member", "user", "557058:abc")
    assert grant == pb.grant.Grant(
        id="group:g-1:member:user:557058:abc",
        entitlement=pb.entitlement.Entitlement(
            id="group:g-1:member",
            resource=pb.resource.Resource(
                id=pb.resource.ResourceId(resource_type="group", resource="g-1"), display_name="Admins"
            ),
        ),
        principal=pb.resource.Resource(id=pb.resource.ResourceId(resource_type="user", resource="557058:abc")),
    )
    grant.entitlement.resource.display_name = "changed"
    assert group.display_name == "Admins"  # the caller's resource is copied, not shared


def test_lean_entitlement_keeps_ids_and_the_resource_display_name_only() -> None:
    space = pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type="space", resource="42"),
        display_name="Docs",
        description="team docs",
        annotations=[ann.pack(pb.trait.GroupTrait())],
        parent_resource_id=pb.resource.ResourceId(resource_type="site", resource="s"),
    )
    full = pb.entitlement.Entitlement(
        id="space:42:read-space",
        resource=space,
        display_name="read space",
        slug="read-space",
        grantable_to=[pb.resource.ResourceType(id="user", annotations=[ann.pack(pb.trait.GroupTrait())])],
    )
    lean = lean_entitlement(full)
    assert lean == pb.entitlement.Entitlement(
        id="space:42:read-space",
        resource=pb.resource.Resource(
            id=pb.resource.ResourceId(resource_type="space", resource="42"), display_name="Docs"
        ),
    )
    assert is_lean(lean) and not is_lean(full)
    assert not is_lean(pb.entitlement.Entitlement(id="e", resource=pb.resource.Resource(description="x")))
