"""Which API reads a Data Center space's permissions, decided once per connector.

- **9.1 REST** (`GET /rest/api/space/{key}/permissions`) when the site says it is 9.1 or later;
- **JSON-RPC remote API** (`getSpacePermissionSets`, `remote_api.py`) otherwise: older sites have
  no REST endpoint for space permissions (CONFSERVER-100505), and a site that hides its version
  (`/server-information` 404) is older than 9.1 (`version.py`).

A 9.1+ site whose REST endpoint answers 404 before it ever answered 200 is retried through the
remote API for the same space; if that works, the remote API is used from then on. (Once REST has
answered, a 404 means the space is gone, and is passed on.) The choice is logged once, at info.

Both paths return the same records (`shapes.permission_of`): users by user key (the
remote API's usernames are resolved by `UserKeys`), groups by name, anonymous access as principal
`{"type": "anonymous", "id": "anonymous"}`. Remote-API permission types the connector does not know
and usernames the site cannot resolve are skipped and counted (`skipped`), with one warning per
unknown type.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import structlog

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import ConfluenceHTTP, ListingPage, SpacePermission, api_path, parse_all
from baton_confluence.confluence.datacenter import shapes
from baton_confluence.confluence.datacenter.permission_map import rpc_type_to_dc
from baton_confluence.confluence.datacenter.remote_api import (
    REMOTE_API_FIX,
    RemoteApi,
    RemoteApiError,
    RemoteApiUnavailable,
    permission_entries,
)
from baton_confluence.confluence.datacenter.user_keys import UserKeys
from baton_confluence.confluence.datacenter.version import Features

log = structlog.get_logger("baton_confluence.confluence.datacenter.permissions")

REST_API = "rest"
REMOTE_API = "json-rpc"
REST = "/rest/api"
ANONYMOUS = ("anonymous", "anonymous")

Read = Callable[[str], Awaitable[ListingPage[SpacePermission]]]


class SpacePermissionReader:
    def __init__(self, http: ConfluenceHTTP, features: Callable[[], Awaitable[Features]], users: UserKeys) -> None:
        self.http = http
        self.remote = RemoteApi(http)
        self.users = users
        self.skipped: Counter[str] = Counter()  # "type:<TYPE>" and "unknown_user" -> count
        self._features = features
        self._api: str | None = None
        self._rest_answered = False
        self._lock = asyncio.Lock()

    async def api(self) -> str:
        """REST_API or REMOTE_API; decided on first use from the site's version."""
        async with self._lock:
            if self._api is None:
                features = await self._features()
                if features.space_permissions:
                    self._choose(REST_API, f"Confluence {features.version} has the space-permission REST API")
                else:
                    self._choose(REMOTE_API, features.permissions_unavailable())
            return self._api or REST_API

    async def read(self, space_key: str) -> ListingPage[SpacePermission]:
        """All permissions of a space, as one page."""
        return await self._via(space_key, self._rest_list, self._remote_list)

    async def probe(self, space_key: str) -> None:
        """Validate's check that the account may read them (REST: the small anonymous list; the
        remote API: the whole list, without resolving usernames)."""
        await self._via(space_key, self._rest_probe, self._remote_probe)

    async def unavailable(self) -> str:
        """'' when space permissions can be read; otherwise the problem, for Validate to fail on.

        On the remote API this asks `getServerInfo()`: any answer (an error object included) means
        the API is on; 403/404 mean it is off."""
        if await self.api() == REST_API:
            return ""
        try:
            await self.remote.call("getServerInfo")
        except RemoteApiUnavailable as err:
            return await self._off_problem(err)
        except RemoteApiError:
            return ""
        return ""

    # --- the two paths -------------------------------------------------------------------------
    async def _via(self, space_key: str, rest: Read, remote: Read) -> ListingPage[SpacePermission]:
        if await self.api() == REMOTE_API:
            return await remote(space_key)
        try:
            page = await rest(space_key)
        except ConnectorError as err:
            if err.code != grpc.StatusCode.NOT_FOUND or self._rest_answered:
                raise
            return await self._fall_back(space_key, remote, err)
        self._rest_answered = True
        return page

    async def _fall_back(
        self, space_key: str, remote: Read, rest_error: ConnectorError
    ) -> ListingPage[SpacePermission]:
        try:
            page = await remote(space_key)
        except ConnectorError:
            raise rest_error from None
        if self._api != REMOTE_API:
            self._choose(REMOTE_API, "the space-permission REST endpoint answered 404")
        return page

    async def _rest_list(self, space_key: str) -> ListingPage[SpacePermission]:
        response = await self.http.get_json(api_path(f"{REST}/space/{{}}/permissions", space_key))
        raw = response.data if isinstance(response.data, list) else []
        items = parse_all((r for r in raw if isinstance(r, dict)), shapes.permission)
        return ListingPage(items, "", response.rate_limit)

    async def _rest_probe(self, space_key: str) -> ListingPage[SpacePermission]:
        await self.http.get_json(api_path(f"{REST}/space/{{}}/permissions/anonymous", space_key))
        return ListingPage([])

    async def _remote_probe(self, space_key: str) -> ListingPage[SpacePermission]:
        permission_entries(await self._permission_sets(space_key))
        return ListingPage([])

    async def _remote_list(self, space_key: str) -> ListingPage[SpacePermission]:
        items: list[SpacePermission] = []
        for kind, user_name, group_name in permission_entries(await self._permission_sets(space_key)):
            item = await self._remote_item(kind, user_name, group_name)
            if item is not None:
                items.append(item)
        return ListingPage(items, "")

    async def _permission_sets(self, space_key: str) -> Any:
        try:
            return await self.remote.call("getSpacePermissionSets", space_key)
        except RemoteApiUnavailable as err:
            problem = await self._off_problem(err)
            raise ConnectorError(
                grpc.StatusCode.FAILED_PRECONDITION, f"baton-confluence: {problem}; {REMOTE_API_FIX}"
            ) from err

    async def _remote_item(self, kind: str, user_name: str, group_name: str) -> SpacePermission | None:
        pair = rpc_type_to_dc(kind)
        if pair is None:
            self._skip_type(kind)
            return None
        principal = await self._principal(user_name, group_name)
        if principal is None:
            self.skipped["unknown_user"] += 1
            return None
        return shapes.permission_of(*principal, *pair)  # None for pairs without a slug (delete_mail)

    async def _principal(self, user_name: str, group_name: str) -> tuple[str, str] | None:
        if user_name:
            key = await self.users.key_of(user_name)
            return ("user", key) if key else None
        if group_name:
            return ("group", group_name)
        return ANONYMOUS  # neither name: the anonymous user's permission

    # --- reporting ----------------------------------------------------------------------------
    def _choose(self, api: str, reason: str) -> None:
        self._api = api
        log.info("confluence_space_permissions_api", api=api, reason=reason)

    def _skip_type(self, kind: str) -> None:
        counter = f"type:{kind or '(none)'}"
        if not self.skipped[counter]:
            log.warning(
                "confluence_unknown_space_permission_type",
                permission_type=kind,
                detail="not a space permission this connector knows; skipped",
            )
        self.skipped[counter] += 1

    async def _off_problem(self, err: RemoteApiUnavailable) -> str:
        reason = (await self._features()).permissions_unavailable() or "the space-permission REST API answered 404"
        return f"space permissions cannot be read: {reason}, and its remote API (JSON-RPC) answered {err.status}"
