"""Non-RBAC mode: a space's permission entitlements (`verb-noun`) and who holds them.

Entitlement ids, slugs, display names and descriptions are upstream's. `grantable_to` lists both
user and group: upstream passes them in two `WithGrantableTo` calls, the second of which replaces
the first, so it ships `[group]` only, although users hold these permissions directly (a latent
upstream bug, deliberately not copied).

Grants come from `/spaces/{id}/permissions`, one API page per call. Every permission of a
selected pair becomes a grant, whatever its principal (`principals.principal_of`: accounts of
any type, groups, space roles, access classes such as anonymous users). Permissions of pairs
outside the selection are counted in the completeness report, by pair and by why: `unselected`
(a real pair `--noun`/`--verb` left out) or `unknown` (a pair this connector does not know yet).
"""

from __future__ import annotations

from collections import Counter

import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.ids import entitlement_id
from baton_confluence.baton.sync.completeness import note
from baton_confluence.baton.syncer import Page
from baton_confluence.confluence.grants import grant_expanding_groups, rate_limit_annotations
from baton_confluence.confluence.permissions import Permission, PermissionCatalog, ReportedPair, classify_reported_pair
from baton_confluence.confluence.resource_types import SPACE, group_type, user_type
from baton_confluence.confluence.syncers.context import SyncContext
from baton_confluence.confluence.syncers.listings import known_role_ids
from baton_confluence.confluence.syncers.principals import needs_role_ids, principal_of

log = structlog.get_logger("baton_confluence.confluence.syncers.space_permissions")


def permission_entitlements(
    space: pb.resource.Resource, catalog: PermissionCatalog
) -> list[pb.entitlement.Entitlement]:
    grantable = [user_type(), group_type()]
    return [_entitlement(space, permission, grantable) for permission in catalog]


def _entitlement(
    space: pb.resource.Resource, permission: Permission, grantable: list[pb.resource.ResourceType]
) -> pb.entitlement.Entitlement:
    name = space.display_name
    return pb.entitlement.Entitlement(
        id=entitlement_id(SPACE, space.id.resource, permission.slug),
        resource=space,
        display_name=f"Can {permission.slug} {name}",
        description=f"Has permission to {permission.verb} {permission.noun} the {name} space in Confluence",
        slug=permission.slug,
        purpose=pb.entitlement.Entitlement.PurposeValue.PURPOSE_VALUE_PERMISSION,
        grantable_to=grantable,
    )


async def permission_grants(ctx: SyncContext, space: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
    page = await ctx.api.space_permissions(space.id.resource, token)
    skipped: Counter[str] = Counter()
    grants = []
    role_ids: frozenset[str] | None = None
    for item in page.items:
        permission = Permission(item.operation, item.target)
        kind = classify_reported_pair(ctx.catalog, permission.verb, permission.noun)
        if kind is not ReportedPair.SELECTED:
            why = "unselected" if kind is ReportedPair.KNOWN_UNSELECTED else "unknown"
            skipped[f"permissions_skipped.{why}.{permission.slug}"] += 1
            continue
        if role_ids is None and needs_role_ids(item.principal_type):
            role_ids = await known_role_ids(ctx)
        found = principal_of(item.principal_type, item.principal_id, role_ids or frozenset())
        if found is None:
            skipped["permissions_skipped.no_principal"] += 1
            continue
        grants.append(grant_expanding_groups(space, permission.slug, *found))
    if skipped:
        log.debug("confluence_space_permissions_skipped", space_id=space.id.resource, **skipped)
    annotations = rate_limit_annotations(page.rate_limit)
    if skipped:
        annotations.append(note(skipped))
    return Page(grants, page.next_token, annotations)
