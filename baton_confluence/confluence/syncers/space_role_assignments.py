"""RBAC: role bindings (scope bindings of a role to a space) and who is assigned to them.

A binding `<spaceId>:<roleId>` is a child of its space. Sparse by default (as upstream): only roles
someone holds in the space get a binding, so the listing pages through the space's assignments
first. With `dense_role_bindings`, every role of the site gets a binding in every space, so that
a role nobody holds yet can still be requested.

The space's assignments are fetched once: the listing collects them per role
(`role_members`), and each binding's grants read its holders back. Grants go to every principal
(`principals.principal_of`): accounts of any type, groups (with GrantExpandable from the group's
member entitlement) and access classes (anonymous users, all licensed users...).

List token: JSON `{"g": cache generation, "c": API cursor, "r": [role ids held so far]}`.
Grants token: `{"o": offset}` while serving collected holders, `{"c": cursor}` when reading the
API after a restart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import structlog

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.syncer import Page, ResourceSyncer, StaticEntitlements
from baton_confluence.confluence.client import RoleAssignment
from baton_confluence.confluence.grants import grant_expanding_groups, rate_limit_annotations
from baton_confluence.confluence.provisioning.role_assignments import ASSIGNED, RoleAssignmentProvisioner
from baton_confluence.confluence.resource_types import (
    SPACE,
    SPACE_ROLE,
    SPACE_ROLE_ASSIGNMENT,
    group_type,
    space_role_assignment_type,
    user_type,
)
from baton_confluence.confluence.sync_data import RoleHolder
from baton_confluence.confluence.syncers import role_members, tokens
from baton_confluence.confluence.syncers.context import SyncContext
from baton_confluence.confluence.syncers.listings import forget_space_name, role_catalog, space_name
from baton_confluence.confluence.syncers.principals import principal_of

log = structlog.get_logger("baton_confluence.confluence.syncers.space_role_assignments")

GRANTS_PER_PAGE = 500
_NO_ROLE_IDS: frozenset[str] = frozenset()  # assignment principals are never roles

# Module-level names: inside the syncer class, `list` is the listing method.
RoleIds = list[str]
Resources = list[pb.resource.Resource]
Holders = list[RoleHolder]


class SpaceRoleAssignmentSyncer(ResourceSyncer, StaticEntitlements, RoleAssignmentProvisioner):
    ctx: SyncContext  # the provisioner mixin reads it as a ProvisioningContext

    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx

    def resource_type(self) -> pb.resource.ResourceType:
        return space_role_assignment_type()

    async def static_entitlements(self, token: str) -> Page[pb.entitlement.Entitlement]:
        return Page([assigned_entitlement()])

    async def entitlements(self, resource: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]:
        return Page([])

    # --- listing --------------------------------------------------------------------------
    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        if parent is None or parent.resource_type != SPACE:
            return Page([])
        space_id = parent.resource
        state = tokens.decode(token, "space role assignments")
        generation = tokens.text_field(state, "g", self.ctx.data.generation)
        collecting = generation == self.ctx.data.generation
        held = [r for r in state.get("r") or [] if isinstance(r, str)]
        page = await self.ctx.space_roles.space_role_assignments(space_id, tokens.text_field(state, "c"))
        triples = list(_assignments(page.items))
        held.extend(dict.fromkeys(r for r, _, _ in triples if r not in held))
        if collecting:
            role_members.collect(self.ctx, space_id, triples, first_page=not token)
        annotations = rate_limit_annotations(page.rate_limit)
        if page.next_token:
            return Page([], tokens.encode({"g": generation, "c": page.next_token, "r": held}), annotations)
        bindings = await self._bindings(parent, held, publish=collecting)
        return Page(bindings, "", annotations)

    async def _bindings(self, space: pb.resource.ResourceId, held: RoleIds, *, publish: bool) -> Resources:
        dense = self.ctx.options.dense_role_bindings
        roles = await role_catalog(self.ctx) if dense or held else []
        role_ids = list(dict.fromkeys([*(r.id for r in roles), *held])) if dense else held
        if publish:
            role_members.publish(self.ctx, space.resource, role_ids)
        if not role_ids:
            forget_space_name(self.ctx, space.resource)
            return []
        names = {role.id: role.name for role in roles}
        name = await space_name(self.ctx, space.resource)
        return [binding_resource(space, role_id, names.get(role_id, role_id), name) for role_id in role_ids]

    # --- grants ---------------------------------------------------------------------------
    async def grants(self, resource: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        space_id, role_id = binding_ids(resource)
        state = tokens.decode(token, "space role assignment grants")
        if not token or "o" in state:
            holders = self.ctx.data.role_holders(space_id, role_id)
            if holders is not None:
                return self._collected_grants(resource, space_id, role_id, holders, tokens.int_field(state, "o"))
        return await self._api_grants(resource, space_id, role_id, tokens.text_field(state, "c"))

    def _collected_grants(
        self, resource: pb.resource.Resource, space_id: str, role_id: str, holders: Holders, offset: int
    ) -> Page[pb.grant.Grant]:
        chunk = holders[offset : offset + GRANTS_PER_PAGE]
        grants = [g for g in (self._grant(resource, t, p) for t, p in chunk) if g is not None]
        if offset + GRANTS_PER_PAGE < len(holders):
            return Page(grants, tokens.encode({"o": offset + GRANTS_PER_PAGE}))
        self.ctx.data.forget_role_holders(space_id, role_id)
        return Page(grants)

    async def _api_grants(
        self, resource: pb.resource.Resource, space_id: str, role_id: str, cursor: str
    ) -> Page[pb.grant.Grant]:
        page = await self.ctx.space_roles.space_role_assignments(space_id, cursor, role_id=role_id)
        grants = [
            g for r, t, p in _assignments(page.items) if r == role_id and (g := self._grant(resource, t, p)) is not None
        ]
        next_token = tokens.encode({"c": page.next_token}) if page.next_token else ""
        return Page(grants, next_token, rate_limit_annotations(page.rate_limit))

    def _grant(self, resource: pb.resource.Resource, principal_type: str, principal_id: str) -> pb.grant.Grant | None:
        found = principal_of(principal_type, principal_id, _NO_ROLE_IDS)
        return None if found is None else grant_expanding_groups(resource, ASSIGNED, *found)


def _assignments(items: Iterable[RoleAssignment]) -> Iterator[tuple[str, str, str]]:
    """(role id, principal type upper-cased, principal id) of each listed assignment (the client
    keeps only well-formed ones, client/records.py `role_assignment`)."""
    for item in items:
        if item.role_id:
            yield item.role_id, item.principal_type, item.principal_id


def binding_ids(resource: pb.resource.Resource) -> tuple[str, str]:
    """(space id, role id) of a binding: from its ScopeBindingTrait, else from its id."""
    trait = ann.find(resource.annotations, pb.trait.ScopeBindingTrait)
    if trait is not None and trait.scope_resource_id.resource and trait.role_id.resource:
        return trait.scope_resource_id.resource, trait.role_id.resource
    space_id, _, role_id = resource.id.resource.partition(":")
    return space_id, role_id


def binding_resource(
    space: pb.resource.ResourceId, role_id: str, role_name: str, space_display_name: str
) -> pb.resource.Resource:
    trait = pb.trait.ScopeBindingTrait(
        role_id=pb.resource.ResourceId(resource_type=SPACE_ROLE, resource=role_id),
        scope_resource_id=pb.resource.ResourceId(resource_type=SPACE, resource=space.resource),
    )
    return pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type=SPACE_ROLE_ASSIGNMENT, resource=f"{space.resource}:{role_id}"),
        parent_resource_id=pb.resource.ResourceId(resource_type=SPACE, resource=space.resource),
        display_name=f"{role_name} on {space_display_name}",
        annotations=[ann.pack(trait)],
    )


def assigned_entitlement() -> pb.entitlement.Entitlement:
    """The template the engine materialises as `space_role_assignment:<sid>:<rid>:assigned`."""
    return pb.entitlement.Entitlement(
        display_name=ASSIGNED,
        slug=ASSIGNED,
        purpose=pb.entitlement.Entitlement.PurposeValue.PURPOSE_VALUE_ASSIGNMENT,
        grantable_to=[user_type(), group_type()],
    )
