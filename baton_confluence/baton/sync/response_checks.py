"""Checks the engine applies to what a connector returns, as the Go syncer does (not the
connector's own Validate checks, nor the c1z file checks of `c1z/db.py`)."""

from __future__ import annotations

from google.protobuf.message import Message

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.sync.client import SyncError

Trait = pb.resource.ResourceType.Trait
TRAIT_ANNOTATIONS: dict[int, type[Message]] = {
    Trait.TRAIT_USER: pb.trait.UserTrait,
    Trait.TRAIT_GROUP: pb.trait.GroupTrait,
    Trait.TRAIT_ROLE: pb.trait.RoleTrait,
    Trait.TRAIT_APP: pb.trait.AppTrait,
}


def check_resource(resource: pb.resource.Resource, resource_type: pb.resource.ResourceType) -> None:
    rid = f"{resource.id.resource_type}:{resource.id.resource}"
    if not resource.id.resource_type or not resource.id.resource:
        raise SyncError(f"connector returned a {resource_type.id} resource without an id")
    if resource.id.resource_type != resource_type.id:
        raise SyncError(f"connector returned {rid} while listing {resource_type.id}")
    if ann.has(resource.annotations, pb.baton_id.BatonID):
        raise SyncError(f"resource {rid} carries the reserved BatonID annotation")
    for trait in resource_type.traits:
        needed = TRAIT_ANNOTATIONS.get(trait)
        if needed is not None and not ann.has(resource.annotations, needed):
            raise SyncError(f"resource {rid} lacks the {needed.DESCRIPTOR.name} its type {resource_type.id} requires")


def skips(resource: pb.resource.Resource, resource_type: pb.resource.ResourceType) -> tuple[bool, bool]:
    """(skip entitlements, skip grants) from the skip annotations on the type or the resource."""
    found = list(resource_type.annotations) + list(resource.annotations)
    both = ann.has(found, pb.resource_tree.SkipEntitlementsAndGrants)
    return (
        both or ann.has(found, pb.resource_tree.SkipEntitlements),
        both or ann.has(found, pb.resource_tree.SkipGrants),
    )
