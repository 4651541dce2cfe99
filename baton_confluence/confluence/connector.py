"""`ConfluenceConnector`: the Confluence connector object the runtime serves (Cloud and Data Center).

Built from `ConfluenceOptions` and a `ConfluenceAPI` (client/contract.py; injected, so tests pass
one over a mocked or simulated site). `builder.build_connector` makes both from the settings.
What the site's product allows is read from the API's capability attributes, here, before any
request: `--use-rbac` needs space roles (`require_space_roles`), and the permission catalog is
the product's (Data Center has fewer pairs, docs/datacenter.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.syncer import Connector, ResourceSyncer
from baton_confluence.confluence.cache import SyncCache
from baton_confluence.confluence.client import ConfluenceAPI, Deployment, require_space_roles
from baton_confluence.confluence.datacenter import dc_catalog
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.permissions import PermissionCatalog
from baton_confluence.confluence.sync_data import SyncData
from baton_confluence.confluence.syncers import (
    AccessClassSyncer,
    GroupSyncer,
    SpaceRoleAssignmentSyncer,
    SpaceRoleSyncer,
    SpaceSyncer,
    SyncContext,
    UserSyncer,
)
from baton_confluence.confluence.validation import validate_site

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
    ) -> None:
        if options.use_rbac:
            require_space_roles(api)
        self.options = options
        self.api = api
        self.ctx = SyncContext(
            api=api,
            options=options,
            catalog=catalog or permission_catalog(api.deployment, options),
            data=SyncData(cache),
        )
        self._owns_client = owns_client
        self._syncers = self._build_syncers()

    def _build_syncers(self) -> list[ResourceSyncer]:
        syncers: list[ResourceSyncer] = [UserSyncer(self.ctx), GroupSyncer(self.ctx), SpaceSyncer(self.ctx)]
        if self.api.supports_space_roles:
            # The role catalogue in both modes (as the Go connector); assignments only with --use-rbac.
            syncers.append(SpaceRoleSyncer(self.ctx))
        if self.options.use_rbac:
            syncers.append(SpaceRoleAssignmentSyncer(self.ctx))
        syncers.append(AccessClassSyncer())
        return syncers

    def metadata(self) -> pb.connector.ConnectorMetadata:
        return pb.connector.ConnectorMetadata(
            display_name=DISPLAY_NAME,
            description=DESCRIPTION,
            annotations=[ann.pack(pb.external_link.ExternalLink(url=self.options.domain_url))],
        )

    def syncers(self) -> Sequence[ResourceSyncer]:
        return self._syncers

    async def validate(self) -> list[Any]:
        """Sign-in, mode and space listing (hard failures), then one probe per listing (findings)."""
        return await validate_site(self.api, self.options)

    async def cleanup(self, active_sync_id: str) -> None:
        data = self.ctx.data
        log.debug("confluence_sync_cache", sync_id=active_sync_id, unread_pages=data.unread_pages(), **vars(data.stats))
        self.ctx.reset()

    def requests_sent(self) -> int:
        """How many API requests the connector's HTTP client has sent (for the sync summary)."""
        return self.api.http.stats.total

    def rate_limited(self) -> dict[str, int]:
        """429 answers by their RateLimit-Reason ('' when none was sent), for the sync summary."""
        return dict(self.api.http.stats.rate_limited_by_reason)

    async def close(self) -> None:
        self.ctx.data.close()
        if self._owns_client:
            await self.api.http.aclose()


def permission_catalog(deployment: Deployment, options: ConfluenceOptions) -> PermissionCatalog:
    """The `--noun`/`--verb` selection, of the pairs the product has; INVALID_ARGUMENT when it
    selects none (raised before any request)."""
    if deployment is Deployment.DATACENTER:
        return dc_catalog(options.nouns, options.verbs)
    return PermissionCatalog.select(options.nouns, options.verbs)
