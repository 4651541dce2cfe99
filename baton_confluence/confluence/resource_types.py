"""The resource types, exactly as upstream declares them (ids, names, traits, annotations).

They are public API: ids and trait sets must never change (upstream review rule 1).
"""

from __future__ import annotations

from google.protobuf.message import Message

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb

USER = "user"
GROUP = "group"
SPACE = "space"
SPACE_ROLE = "space_role"
SPACE_ROLE_ASSIGNMENT = "space_role_assignment"
ACCESS_CLASS = "access_class"  # new in this connector; docs/access-classes.md
SITE = "site"  # new in this connector; docs/site-and-activity.md

_Trait = pb.resource.ResourceType


def _type(
    type_id: str, name: str, traits: list[pb.resource.ResourceType.Trait], annotations: list[Message]
) -> pb.resource.ResourceType:
    return pb.resource.ResourceType(id=type_id, display_name=name, traits=traits, annotations=ann.pack_all(annotations))


def user_type() -> pb.resource.ResourceType:
    # Users hold grants but have no entitlements of their own.
    return _type(USER, "User", [_Trait.TRAIT_USER], [pb.resource_tree.SkipEntitlementsAndGrants()])


def group_type() -> pb.resource.ResourceType:
    return _type(GROUP, "Group", [_Trait.TRAIT_GROUP], [])


def space_type() -> pb.resource.ResourceType:
    return _type(SPACE, "Space", [], [])


def space_role_type() -> pb.resource.ResourceType:
    return _type(
        SPACE_ROLE,
        "Space Role",
        [_Trait.TRAIT_ROLE],
        [pb.resource_tree.SkipEntitlementsAndGrants(), pb.connector.OptInRequired()],
    )


def space_role_assignment_type() -> pb.resource.ResourceType:
    return _type(
        SPACE_ROLE_ASSIGNMENT,
        "Space Role Assignment",
        [_Trait.TRAIT_SCOPE_BINDING],
        [pb.resource_tree.SkipEntitlements(), pb.connector.OptInRequired()],
    )


def access_class_type() -> pb.resource.ResourceType:
    """Classes of principals a space can be opened to (anonymous users, all licensed users...).

    Not in the Go connector, which skipped these principals: a space open to anonymous users is
    exactly what an access review must show. A class behaves like a group whose membership the site
    does not list, so it carries the group trait and has no entitlements or grants of its own.
    """
    return _type(ACCESS_CLASS, "Access Class", [_Trait.TRAIT_GROUP], [pb.resource_tree.SkipEntitlementsAndGrants()])


def site_type() -> pb.resource.ResourceType:
    """The site itself, one resource per sync, holding the global permissions (read-only)."""
    return _type(SITE, "Site", [], [])
