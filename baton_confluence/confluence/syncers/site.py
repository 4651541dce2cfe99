"""The `site` resource: one per sync, its global permissions as entitlements, and who holds them.

- Id: the site's stable id (`SiteIdentityReader`: Cloud cloudId, Data Center instance address;
  client/site_identity.py). Display name: the site's host.
- Entitlements: `site:<id>:<verb>-<noun>` for each global permission the product can report
  (`site_permissions.site_pairs`), grantable to users, groups and access classes.
- Grants: from a `GlobalPermissionReader` (Data Center's Global Permissions REST; Cloud's
  Confluence product roles through the org admin API, when its key is given). A group's grant
  expands to its members exactly as a space permission's does. Anonymous and unlicensed access
  are `access_class` principals.
- When the grants cannot be read (no reader, endpoint absent, caller not allowed), the resource
  and its entitlements are still emitted, the grants page carries a completeness note
  `site.grants_unavailable.<reason>` and the log says why; the sync goes on.
- Read-only: the syncer provisions nothing, so `capabilities` lists `site` with sync only and a
  Grant/Revoke on it answers UNIMPLEMENTED ("cannot be provisioned").

Resumable without state: the listing and the grants are one page each.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import structlog
from google.protobuf import any_pb2, struct_pb2

from baton_confluence.baton import pb
from baton_confluence.baton.ids import entitlement_id
from baton_confluence.baton.sync.completeness import note
from baton_confluence.baton.syncer import Page, ResourceSyncer
from baton_confluence.confluence.client import (
    GlobalPermissionListing,
    GlobalPermissionReader,
    SiteIdentity,
    SiteIdentityReader,
    instance_identity,
)
from baton_confluence.confluence.grants import grant_expanding_groups
from baton_confluence.confluence.permissions import Permission
from baton_confluence.confluence.resource_types import SITE, access_class_type, group_type, site_type, user_type
from baton_confluence.confluence.site_permissions import describe, known_pair, normalise_target, site_pairs
from baton_confluence.confluence.syncers.context import SyncContext
from baton_confluence.confluence.syncers.principals import principal_of

log = structlog.get_logger("baton_confluence.confluence.syncers.site")

UNAVAILABLE = "site.grants_unavailable"  # + ".<reason>"
PARTIAL = "site.grants_partial"  # + ".<reason>"
SKIPPED_UNKNOWN = "site.permissions_skipped.unknown"  # + ".<slug>"
SKIPPED_NO_PRINCIPAL = "site.permissions_skipped.no_principal"


@dataclass(frozen=True)
class SiteSources:
    """Where the site's id and grants come from; `missing` says why there is no reader."""

    identity: SiteIdentityReader | None
    permissions: GlobalPermissionReader | None
    missing: str = ""  # snake_case reason, when `permissions` is None
    missing_detail: str = ""


class SiteSyncer(ResourceSyncer):
    def __init__(self, ctx: SyncContext, sources: SiteSources) -> None:
        self.ctx = ctx
        self.sources = sources

    def resource_type(self) -> pb.resource.ResourceType:
        return site_type()

    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        if parent is not None:
            return Page([])
        identity = self.sources.identity
        found = await identity.site_identity() if identity is not None else instance_identity(self.ctx.options.domain_url)
        return Page([site_resource(found)])

    async def entitlements(self, resource: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]:
        grantable = [user_type(), group_type(), access_class_type()]
        return Page([_entitlement(resource, p, grantable) for p in site_pairs(self.ctx.api.deployment)])

    async def grants(self, resource: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        reader = self.sources.permissions
        if reader is None:
            return Page([], "", [self._unavailable(self.sources.missing, self.sources.missing_detail)])
        listing = await reader.global_permissions()
        if listing.unavailable:
            return Page([], "", [self._unavailable(listing.unavailable, listing.detail)])
        page = site_grants(resource, listing)
        if listing.partial:
            if listing.detail:
                log.warning("confluence_site_permissions_partial", reason=listing.partial, detail=listing.detail)
            page.annotations.append(note({f"{PARTIAL}.{listing.partial}": 1}))
        if listing.counts:
            page.annotations.append(note(dict(listing.counts)))
        return page

    @staticmethod
    def _unavailable(reason: str, detail: str) -> any_pb2.Any:
        log.warning("confluence_site_permissions_unavailable", reason=reason, detail=detail)
        return note({f"{UNAVAILABLE}.{reason}": 1})


def site_grants(resource: pb.resource.Resource, listing: GlobalPermissionListing) -> Page[pb.grant.Grant]:
    """Every reported pair the connector knows becomes a grant; the rest are counted by slug."""
    skipped: Counter[str] = Counter()
    grants = []
    seen: set[tuple[str, str, str]] = set()
    for item in listing.items:
        permission = known_pair(item.operation, item.target)
        if permission is None:
            skipped[f"{SKIPPED_UNKNOWN}.{Permission(item.operation, normalise_target(item.target)).slug}"] += 1
            continue
        found = principal_of(item.principal_type, item.principal_id, frozenset())
        if found is None:
            skipped[SKIPPED_NO_PRINCIPAL] += 1
            continue
        key = (permission.slug, *found)
        if key not in seen:
            seen.add(key)
            grants.append(grant_expanding_groups(resource, permission.slug, *found))
    return Page(grants, "", [note(skipped)] if skipped else [])


def site_resource(identity: SiteIdentity) -> pb.resource.Resource:
    profile = struct_pb2.Struct()
    profile.update({"site_id": identity.id, "host": identity.name})
    return pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type=SITE, resource=identity.id),
        display_name=identity.name,
        profile=profile,
    )


def _entitlement(
    site: pb.resource.Resource, permission: Permission, grantable: list[pb.resource.ResourceType]
) -> pb.entitlement.Entitlement:
    return pb.entitlement.Entitlement(
        id=entitlement_id(SITE, site.id.resource, permission.slug),
        resource=site,
        display_name=f"Can {permission.slug} {site.display_name}",
        description=f"{describe(permission)} ({site.display_name})",
        slug=permission.slug,
        purpose=pb.entitlement.Entitlement.PurposeValue.PURPOSE_VALUE_PERMISSION,
        grantable_to=grantable,
    )
