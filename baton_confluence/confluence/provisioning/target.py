"""What a Grant or Revoke request names: the entitlement's resource and slug, and the principal.

Requests come from C1, from the one-shot CLI (full objects read from a c1z) or from any gRPC
client, so nothing is trusted: the entitlement id `<type>:<resource id>:<slug>` is parsed and
must agree with the entitlement's resource, and the principal must be of a type the entitlement
can be granted to. Anything else is INVALID_ARGUMENT, naming the entitlement and the principal.
"""

from __future__ import annotations

from dataclasses import dataclass

from baton_confluence.baton import pb
from baton_confluence.confluence.provisioning.errors import invalid_argument


@dataclass(frozen=True)
class Target:
    entitlement_id: str
    resource: pb.resource.Resource  # the entitlement's resource, as sent (may carry only its id)
    resource_id: str
    slug: str


@dataclass(frozen=True)
class Principal:
    type: str  # our resource type id: user or group
    id: str  # account id or group id

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"


def target_of(entitlement: pb.entitlement.Entitlement, resource_type: str) -> Target:
    """The resource and slug an entitlement of `resource_type` names."""
    ent_id = entitlement.id or _id_from_parts(entitlement)
    parsed_type, resource_id, slug = _split(ent_id)
    resource = pb.resource.Resource()
    resource.CopyFrom(entitlement.resource)
    sent = resource.id
    if parsed_type != resource_type or not resource_id or not slug:
        raise invalid_argument(f"entitlement {ent_id!r} is not a {resource_type} entitlement of this connector")
    if (sent.resource_type, sent.resource) not in (("", ""), (resource_type, resource_id)):
        raise invalid_argument(
            f"entitlement {ent_id!r} names {resource_type}:{resource_id} but its resource is "
            f"{sent.resource_type}:{sent.resource}"
        )
    if not sent.resource:
        resource.id.CopyFrom(pb.resource.ResourceId(resource_type=resource_type, resource=resource_id))
    return Target(ent_id, resource, resource_id, slug)


def principal_of(principal: pb.resource.Resource, allowed: tuple[str, ...], entitlement_id: str) -> Principal:
    """The principal, if its type is one the entitlement can be granted to."""
    found = Principal(principal.id.resource_type, principal.id.resource)
    if found.type not in allowed or not found.id:
        raise invalid_argument(
            f"{entitlement_id} cannot be granted to {found.type or '(no type)'}:{found.id or '(no id)'}: "
            f"the principal must be a {' or a '.join(allowed)}"
        )
    return found


def _id_from_parts(entitlement: pb.entitlement.Entitlement) -> str:
    rid = entitlement.resource.id
    if not (rid.resource_type and rid.resource and entitlement.slug):
        raise invalid_argument("the entitlement has no id, and no resource and slug to derive it from")
    return f"{rid.resource_type}:{rid.resource}:{entitlement.slug}"


def _split(entitlement_id: str) -> tuple[str, str, str]:
    """(type, resource id, slug): types and slugs hold no ':', resource ids may (role bindings)."""
    resource_type, _, rest = entitlement_id.partition(":")
    resource_id, _, slug = rest.rpartition(":")
    return resource_type, resource_id, slug
