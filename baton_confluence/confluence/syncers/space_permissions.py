"""Non-RBAC mode: a space's permission entitlements (`verb-noun`) and who holds them.

Entitlement ids, slugs, display names and descriptions are upstream's. `grantable_to` lists both
user and group: upstream passes them in two `WithGrantableTo` calls, the second of which replaces
the first, so it ships `[group]` only, although users hold these permissions directly (a latent
upstream bug, deliberately not copied).

Grants come from `/spaces/{id}/permissions`, one API page per call. Kept: permissions in the
selected catalog, held by a group or by a user the user listing emitted. Dropped (counted at
debug level): pairs outside the selection, other principal types (access classes, anonymous,
roles), and user principals that are not emitted users (app accounts: upstream granted to them
anyway, leaving grants whose principal does not exist).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.ids import entitlement_id
from baton_confluence.baton.syncer import Page
from baton_confluence.confluence.permissions import Permission, PermissionCatalog
from baton_confluence.confluence.syncers.context import SyncContext
from baton_confluence.confluence.syncers.grants import new_grant, rate_limit_annotations
from baton_confluence.confluence.syncers.records import ident, obj, text
from baton_confluence.confluence.syncers.resource_types import GROUP, SPACE, USER, group_type, user_type

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
    for item in page.items:
        grant = _grant(ctx, space, item, skipped)
        if grant is not None:
            grants.append(grant)
    if skipped:
        log.debug("confluence_space_permissions_skipped", space_id=space.id.resource, **skipped)
    return Page(grants, page.next_token, rate_limit_annotations(page.rate_limit))


def _grant(
    ctx: SyncContext, space: pb.resource.Resource, item: dict[str, Any], skipped: Counter[str]
) -> pb.grant.Grant | None:
    principal, operation = obj(item.get("principal")), obj(item.get("operation"))
    verb, noun = text(operation.get("key")), text(operation.get("targetType"))
    if not ctx.catalog.allows(verb, noun):
        skipped["unselected_pair"] += 1
        return None
    principal_type, principal_id = text(principal.get("type")).lower(), ident(principal.get("id"))
    if not principal_id or principal_type not in (USER, GROUP):
        skipped["other_principal"] += 1
        return None
    if principal_type == USER and not ctx.accounts.grantable(principal_id):
        skipped["not_an_emitted_user"] += 1
        return None
    return new_grant(space, Permission(verb, noun).slug, principal_type, principal_id)
