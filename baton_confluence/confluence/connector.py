"""`ConfluenceConnector`: the Confluence connector object the runtime serves (Cloud and Data Center).

Built from `ConfluenceOptions` and a `ConfluenceAPI` (client/contract.py; injected, so tests pass
one over a mocked or simulated site). `builder.build_connector` makes both from the settings.
What the site's product allows is read from the API's capabilities (client/contract.py), here,
before any request: `--use-rbac` needs space roles (`require_space_roles`), the role catalogue is
listed where the site has roles, and the permission catalog is the product's (Data Center has
fewer pairs, docs/datacenter.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from google.protobuf import any_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.syncer import Connector, ResourceSyncer
from baton_confluence.confluence.cache import SyncCache
from baton_confluence.confluence.client import (
    ConfluenceAPI,
    ContentType,
    Deployment,
    GlobalPermissionReader,
    LastActivityReader,
    OrgAdmin,
    OrgLastActivity,
    OrgProductRoles,
    OrgUserRoles,
    SiteIdentityReader,
    require_space_roles,
    space_roles_of,
)
from baton_confluence.confluence.datacenter import dc_catalog
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.permissions import PermissionCatalog
from baton_confluence.confluence.settings import SettingsError
from baton_confluence.confluence.sync_data import SyncData
from baton_confluence.confluence.syncers import (
    AccessClassSyncer,
    GroupSyncer,
    RestrictedContentSyncer,
    SiteSources,
    SiteSyncer,
    SpaceRoleAssignmentSyncer,
    SpaceRoleSyncer,
    SpaceSyncer,
    SyncContext,
    UserSyncer,
)
from baton_confluence.confluence.validation import report, validate_site

log = structlog.get_logger("baton_confluence.confluence.connector")

PREFIX = "baton-confluence"
DISPLAY_NAME = "Confluence"
DESCRIPTION = "Connector syncing Confluence users and groups to Baton"


class ConfluenceConnector(Connector):
    def __init__(
        self,
        options: ConfluenceOptions,
        api: ConfluenceAPI,
        *,
        catalog: PermissionCatalog | None = None,
        cache: SyncCache | None = None,
        owns_client: bool = False,
        org_admin: OrgAdmin | None = None,
    ) -> None:
        if options.use_rbac:
            require_space_roles(api)
        self.options = options
        self.api = api
        self.org_admin = org_admin  # Cloud's organization admin API (client/org_admin.py), when configured
        self.ctx = SyncContext(
            api=api,
            options=options,
            catalog=catalog or permission_catalog(api.deployment, options),
            data=SyncData(cache),
            last_activity=last_activity_reader(api, options, org_admin),
        )
        self._owns_client = owns_client
        self._syncers = self._build_syncers()

    def _build_syncers(self) -> list[ResourceSyncer]:
        syncers: list[ResourceSyncer] = [UserSyncer(self.ctx), GroupSyncer(self.ctx), SpaceSyncer(self.ctx)]
        if space_roles_of(self.api) is not None:
            # The role catalogue in both modes (as the Go connector); assignments only with --use-rbac.
            syncers.append(SpaceRoleSyncer(self.ctx))
        if self.options.use_rbac:
            syncers.append(SpaceRoleAssignmentSyncer(self.ctx))
        syncers.append(AccessClassSyncer())
        syncers.append(SiteSyncer(self.ctx, site_sources(self.api, self.org_admin, self.ctx.last_activity)))
        if self.options.sync_restricted_content:
            syncers.extend(RestrictedContentSyncer(self.ctx, content_type) for content_type in ContentType)
        return syncers

    def metadata(self) -> pb.connector.ConnectorMetadata:
        return pb.connector.ConnectorMetadata(
            display_name=DISPLAY_NAME,
            description=DESCRIPTION,
            annotations=[ann.pack(pb.external_link.ExternalLink(url=self.options.domain_url))],
        )

    def syncers(self) -> Sequence[ResourceSyncer]:
        return self._syncers

    async def validate(self) -> list[any_pb2.Any]:
        """Sign-in, mode and space listing (hard failures), then one probe per listing (findings),
        each finding logged and returned as a response annotation."""
        return report(await validate_site(self.api, self.options))

    async def cleanup(self, active_sync_id: str) -> None:
        data = self.ctx.data
        log.debug("confluence_sync_cache", sync_id=active_sync_id, unread_pages=data.unread_pages(), **vars(data.stats))
        self.ctx.reset()

    def requests_sent(self) -> int:
        """How many API requests the connector's HTTP clients have sent (for the sync summary)."""
        admin = self.org_admin.http.stats.total if self.org_admin is not None else 0
        return self.api.requests_sent() + admin

    def rate_limited(self) -> dict[str, int]:
        """429 answers by their RateLimit-Reason ('' when none was sent), for the sync summary."""
        return self.api.rate_limited_by_reason()

    async def close(self) -> None:
        self.ctx.data.close()
        if self._owns_client:
            await self.api.aclose()
            if self.org_admin is not None:
                await self.org_admin.http.aclose()


NO_ORG_ADMIN_KEY = "no_org_admin_key"


def last_activity_reader(
    api: ConfluenceAPI, options: ConfluenceOptions, org_admin: OrgAdmin | None
) -> LastActivityReader | None:
    """Where `--last-activity` reads from: the org admin API on Cloud, the site on Data Center."""
    if not options.last_activity:
        return None
    if org_admin is not None and isinstance(api, SiteIdentityReader):
        return OrgLastActivity(org_admin, api)
    if isinstance(api, LastActivityReader):
        return api
    raise SettingsError(
        "--last-activity on Confluence Cloud needs --org-id and --org-api-key (BATON_ORG_ID, BATON_ORG_API_KEY)"
    )


def site_sources(
    api: ConfluenceAPI, org_admin: OrgAdmin | None, last_activity: LastActivityReader | None = None
) -> SiteSources:
    """Where the `site` resource's id and grants come from (syncers/site.py)."""
    identity = api if isinstance(api, SiteIdentityReader) else None
    if isinstance(api, GlobalPermissionReader):
        return SiteSources(identity, api)
    if org_admin is not None and identity is not None:
        # Accounts' direct roles share --last-activity's bulk listing of the org when it reads one.
        shared = last_activity if isinstance(last_activity, OrgLastActivity) else None
        return SiteSources(identity, OrgProductRoles(org_admin, identity, OrgUserRoles(org_admin, api, shared)))
    return SiteSources(
        identity,
        None,
        NO_ORG_ADMIN_KEY,
        "Confluence Cloud lists no site permissions on the site itself; pass --org-id and --org-api-key to "
        "read the Confluence product roles from the organization admin API",
    )


def permission_catalog(deployment: Deployment, options: ConfluenceOptions) -> PermissionCatalog:
    """The `--noun`/`--verb` selection, of the pairs the product has; INVALID_ARGUMENT when it
    selects none (raised before any request)."""
    if deployment is Deployment.DATACENTER:
        return dc_catalog(options.nouns, options.verbs)
    return PermissionCatalog.select(options.nouns, options.verbs)
