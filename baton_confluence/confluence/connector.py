"""`ConfluenceConnector`: the Confluence connector object the runtime serves (Cloud and Data Center).

Built from `ConfluenceOptions` and a `ConfluenceCloudAPI` (injected, so tests pass one over a
mocked or simulated site); `build_cloud_connector` makes the HTTP client from the options, and
`build_datacenter_connector` wraps a client in the Data Center adapter (docs/datacenter.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import grpc
import structlog

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.syncer import Connector, ResourceSyncer
from baton_confluence.confluence.cache import SyncCache
from baton_confluence.confluence.client import BasicAuth, ConfluenceCloudAPI, ConfluenceHTTP
from baton_confluence.confluence.datacenter import ConfluenceDataCenterAPI, dc_catalog
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.permissions import PermissionCatalog
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
        api: ConfluenceCloudAPI,
        *,
        catalog: PermissionCatalog | None = None,
        cache: SyncCache | None = None,
        owns_client: bool = False,
    ) -> None:
        self.options = options
        self.api = api
        self.ctx = SyncContext(
            api=api,
            options=options,
            catalog=catalog or PermissionCatalog.select(options.nouns, options.verbs),
            cache=cache or SyncCache(),
        )
        self._owns_client = owns_client
        self._syncers = self._build_syncers()

    def _build_syncers(self) -> list[ResourceSyncer]:
        syncers: list[ResourceSyncer] = [UserSyncer(self.ctx), GroupSyncer(self.ctx), SpaceSyncer(self.ctx)]
        if self.api.has_space_roles:
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
        stats = self.ctx.cache.stats
        log.debug("confluence_sync_cache", sync_id=active_sync_id, **vars(stats))
        self.ctx.reset()

    async def close(self) -> None:
        self.ctx.cache.close()
        if self._owns_client:
            await self.api.http.aclose()


def build_cloud_connector(options: ConfluenceOptions) -> ConfluenceConnector:
    """A connector with its own HTTP client to the Cloud site in `options` (closed by `close()`)."""
    catalog = PermissionCatalog.select(options.nouns, options.verbs)  # fail before opening a client
    http = ConfluenceHTTP(
        options.domain_url,
        auth=BasicAuth(options.username, options.api_key),
        max_concurrency=options.concurrency,
    )
    return ConfluenceConnector(options, ConfluenceCloudAPI(http), catalog=catalog, owns_client=True)


def build_datacenter_connector(options: ConfluenceOptions, http: ConfluenceHTTP) -> ConfluenceConnector:
    """A connector for a Confluence Data Center/Server site over `http` (closed by `close()`).

    The shared syncers run on `ConfluenceDataCenterAPI`, which answers in Cloud's shapes; the
    permission catalog keeps only the pairs Data Center has (docs/datacenter.md).
    """
    if options.use_rbac:
        raise ConnectorError(
            grpc.StatusCode.INVALID_ARGUMENT,
            "baton-confluence: --use-rbac needs Confluence Cloud space roles; Data Center has granular space "
            "permissions only: drop --use-rbac",
        )
    catalog = dc_catalog(options.nouns, options.verbs)
    return ConfluenceConnector(options, ConfluenceDataCenterAPI(http), catalog=catalog, owns_client=True)
