"""Building a plain grant the way the Go SDK's `NewGrant` does."""

from __future__ import annotations

from baton_confluence.baton import pb
from baton_confluence.baton.ids import entitlement_id, grant_id


def new_grant(resource: pb.resource.Resource, slug: str, principal_type: str, principal_id: str) -> pb.grant.Grant:
    """A grant of `<resource>:<slug>` to a principal stub: the entitlement carries its id and the
    full resource, the principal only its id."""
    ent_id = entitlement_id(resource.id.resource_type, resource.id.resource, slug)
    # Filling fields in place is about three times faster than nested keyword constructors,
    # which matters at one call per group member.
    grant = pb.grant.Grant(id=grant_id(ent_id, principal_type, principal_id))
    entitlement = grant.entitlement
    entitlement.id = ent_id
    entitlement.resource.CopyFrom(resource)
    principal = grant.principal.id
    principal.resource_type = principal_type
    principal.resource = principal_id
    return grant
