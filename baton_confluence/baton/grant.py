"""Building plain grants, and the lean entitlement every stored or sent grant embeds.

A grant embeds its entitlement only so that readers can find the entitlement row and its resource:
the Go connector's grants carry the entitlement id and the resource's id and display name, and
every reader (the Go `baton` CLI, the platform, `inspect`, provisioning) looks the full
entitlement and resource up in their own tables by those ids (docs/protocol.md §1.4). Embedding
the whole resource (profile trait, annotations) and the entitlement's `grantable_to` in each of
hundreds of thousands of grants made the c1z half as big again (issue 23).
"""

from __future__ import annotations

from baton_confluence.baton import pb
from baton_confluence.baton.ids import entitlement_id, grant_id

# The fields a lean embedded entitlement / its resource may carry.
_LEAN_ENTITLEMENT_FIELDS = frozenset({"id", "resource"})
_LEAN_RESOURCE_FIELDS = frozenset({"id", "display_name"})


def embed_entitlement(target: pb.entitlement.Entitlement, ent_id: str, resource: pb.resource.Resource) -> None:
    """Fill the empty `target` with the lean form of entitlement `ent_id` of `resource`."""
    target.id = ent_id
    embedded = target.resource
    embedded.id.resource_type = resource.id.resource_type
    embedded.id.resource = resource.id.resource
    if resource.display_name:
        embedded.display_name = resource.display_name


def lean_entitlement(entitlement: pb.entitlement.Entitlement) -> pb.entitlement.Entitlement:
    """The lean form of a full entitlement, as a grant of it embeds it."""
    lean = pb.entitlement.Entitlement()
    embed_entitlement(lean, entitlement.id, entitlement.resource)
    return lean


def is_lean(entitlement: pb.entitlement.Entitlement) -> bool:
    """Whether an embedded entitlement carries nothing beyond the lean form."""
    if any(field.name not in _LEAN_ENTITLEMENT_FIELDS for field, _ in entitlement.ListFields()):
        return False
    return all(field.name in _LEAN_RESOURCE_FIELDS for field, _ in entitlement.resource.ListFields())


def new_grant(resource: pb.resource.Resource, slug: str, principal_type: str, principal_id: str) -> pb.grant.Grant:
    """A grant of `<resource>:<slug>` to a principal stub, with the ids the Go SDK's `NewGrant` gives
    it; the entitlement is embedded lean (see the module docstring), the principal by id only."""
    ent_id = entitlement_id(resource.id.resource_type, resource.id.resource, slug)
    # Filling fields in place is about three times faster than nested keyword constructors,
    # which matters at one call per group member.
    grant = pb.grant.Grant(id=grant_id(ent_id, principal_type, principal_id))
    embed_entitlement(grant.entitlement, ent_id, resource)
    principal = grant.principal.id
    principal.resource_type = principal_type
    principal.resource = principal_id
    return grant
