"""`ConfluenceConnector`: the Confluence Cloud connector object the runtime serves.

Built from `ConfluenceOptions` and a `ConfluenceCloudAPI` (injected, so tests pass one over a
mocked or simulated site); `build_cloud_connector` makes the HTTP client from the options.
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
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.permissions import PermissionCatalog
from baton_confluence.confluence.syncers import (
    GroupSyncer,
    SpaceRoleAssignmentSyncer,
    SpaceRoleSyncer,
    SpaceSyncer,
    SyncContext,
    UserSyncer,
)

log = structlog.get_logger("baton_confluence.confluence.connector")

PREFIX = "baton-confluence"
DISPLAY_NAME = "Confluence"
DESCRIPTION = "Connector syncing Confluence users and groups to Baton"

# What to do about a failed sign-in, by the code the client mapped the HTTP status to.
_SIGN_IN_HINTS: dict[grpc.StatusCode, str] = {
    grpc.StatusCode.UNAUTHENTICATED: "--username must be the account's email and --api-key an Atlassian API token "
    "(not the password)",
    grpc.StatusCode.PERMISSION_DENIED: "give the account access to Confluence on this site",
    grpc.StatusCode.NOT_FOUND: "check --domain-url: it must be the site address, e.g. https://example.atlassian.net",
}
_DEFAULT_HINT = "check --domain-url and that this host can reach the site"


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
        if self.options.use_rbac:
            syncers += [SpaceRoleSyncer(self.ctx), SpaceRoleAssignmentSyncer(self.ctx)]
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
        await self._check_sign_in()
        if self.options.use_rbac:
            await self._check_rbac()
        return []

    async def cleanup(self, active_sync_id: str) -> None:
        stats = self.ctx.cache.stats
        log.debug("confluence_sync_cache", sync_id=active_sync_id, **vars(stats))
        self.ctx.reset()

    async def close(self) -> None:
        self.ctx.cache.close()
        if self._owns_client:
            await self.api.http.aclose()

    # --- validation -----------------------------------------------------------------------
    async def _check_sign_in(self) -> None:
        try:
            user = await self.api.current_user()
        except ConnectorError as err:
            hint = _SIGN_IN_HINTS.get(err.code, _DEFAULT_HINT)
            raise _validation_error(
                err.code, f"cannot sign in to {self.options.domain_url} ({_inner(err)})", hint
            ) from err
        if not user.get("accountId"):
            raise _validation_error(
                grpc.StatusCode.UNAUTHENTICATED,
                f"{self.options.domain_url} answered as an anonymous user",
                _SIGN_IN_HINTS[grpc.StatusCode.UNAUTHENTICATED],
            )

    async def _check_rbac(self) -> None:
        off = "turn off --use-rbac to sync granular space permissions instead"
        try:
            mode = await self.api.space_role_mode()
        except ConnectorError as err:
            if err.code == grpc.StatusCode.NOT_FOUND:
                raise _rbac_unavailable("space-role-mode answered 404", off) from err
            raise _validation_error(err.code, f"cannot read the space role mode ({_inner(err)})", off) from err
        if mode == "PRE_ROLES":
            raise _validation_error(
                grpc.StatusCode.FAILED_PRECONDITION,
                "space roles are not enabled on this site (space-role-mode is PRE_ROLES)",
                f"enable space roles in Confluence administration or {off}",
            )
        try:
            await self.api.list_space_roles("")
        except ConnectorError as err:
            if err.code == grpc.StatusCode.NOT_FOUND:
                # space-role-mode keeps saying ROLES after a trial or beta grant expires.
                raise _rbac_unavailable(
                    "space-roles answered 404; a trial or beta grant may have expired", off
                ) from err
            raise _validation_error(err.code, f"cannot list space roles ({_inner(err)})", off) from err


def build_cloud_connector(options: ConfluenceOptions) -> ConfluenceConnector:
    """A connector with its own HTTP client to the Cloud site in `options` (closed by `close()`)."""
    catalog = PermissionCatalog.select(options.nouns, options.verbs)  # fail before opening a client
    http = ConfluenceHTTP(
        options.domain_url,
        auth=BasicAuth(options.username, options.api_key),
        max_concurrency=options.concurrency,
    )
    return ConfluenceConnector(options, ConfluenceCloudAPI(http), catalog=catalog, owns_client=True)


def _validation_error(code: grpc.StatusCode, problem: str, fix: str) -> ConnectorError:
    return ConnectorError(code, f"{PREFIX}: validate: {problem}; {fix}")


def _rbac_unavailable(cause: str, fix: str) -> ConnectorError:
    return _validation_error(
        grpc.StatusCode.FAILED_PRECONDITION, f"RBAC is not available on this site ({cause})", f"{fix}"
    )


def _inner(err: ConnectorError) -> str:
    """The client's message without its prefix, to nest it in ours."""
    return err.message.removeprefix(f"{PREFIX}: ")
