"""Building grants and page annotations the way the Go SDK shapes them."""

from __future__ import annotations

from typing import Any

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import grant as baton_grant
from baton_confluence.baton import pb
from baton_confluence.baton.errors import RateLimitInfo
from baton_confluence.baton.ids import entitlement_id
from baton_confluence.baton.server import rate_limit_description
from baton_confluence.confluence.resource_types import GROUP

GROUP_MEMBER_SLUG = "member"


def group_member_entitlement_id(group_id: str) -> str:
    return entitlement_id(GROUP, group_id, GROUP_MEMBER_SLUG)


def grant_expanding_groups(
    resource: pb.resource.Resource, slug: str, principal_type: str, principal_id: str
) -> pb.grant.Grant:
    """A grant of `<resource>:<slug>` to a principal stub, as SDK `NewGrant` builds it (the runtime's
    `baton/grant.py` `new_grant`), plus what makes a group's grant reach its members.

    A group principal also carries GrantExpandable from the group's member entitlement, so that
    the engine derives the grant for every member.
    """
    grant = baton_grant.new_grant(resource, slug, principal_type, principal_id)
    if principal_type == GROUP:
        expandable = pb.grant_annotations.GrantExpandable(entitlement_ids=[group_member_entitlement_id(principal_id)])
        grant.annotations.append(ann.pack(expandable))
    return grant


def rate_limit_annotations(info: RateLimitInfo | None) -> list[Any]:
    """The RateLimitDescription of the response a page came from, if the site sent one."""
    return [] if info is None else [ann.pack(rate_limit_description(info))]
