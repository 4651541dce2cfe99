"""Data Center global permissions: `GET /rest/api/permissions` (Global Permissions REST group).

Documented for 9.2.18+ and 9.3+ (absent from the 9.1/9.2.0 references, DC_FACTS.md §Global
permissions). Items are `{operation{targetType, operationKey}, subject{type, ...}}`. Whether the
list includes anonymous and unlicensed access is not documented; their own listings
(`/permissions/anonymous`, `/permissions/unlicensed`) are read too, and every subject becomes
one principal, so a pair listed twice is one grant.

Subject shapes (undocumented beyond "type"; the simulator plays each): a user by `userKey`, or by
`username` (resolved to the key through `UserKeys`), flat or nested under `user`; a group by
`name`/`groupName`, flat or nested under `group`; `anonymous`; `unlicensed`.

A site whose version predates the group (`Features`) is not asked; one that answers 404 lacks it, a caller who may not read it 403: the listing comes back
`unavailable` with the reason (the site resource is still emitted, the report says why).

Validate's admin probe reads the same listing (only administrators may); its answer is kept for
the one read that follows (`probe_admin` then `global_permissions`), so a sync fetches it once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import (
    ConfluenceHTTP,
    GlobalPermission,
    GlobalPermissionListing,
    JsonResponse,
    obj,
    text,
)
from baton_confluence.confluence.datacenter.user_keys import UserKeys
from baton_confluence.confluence.datacenter.version import Features

GLOBAL_PERMISSIONS = "/rest/api/permissions"
ANONYMOUS = "anonymous"
UNLICENSED = "unlicensed"
# The class-specific listings: their items are that class's, whatever their subject says.
CLASS_LISTINGS = {ANONYMOUS: GLOBAL_PERMISSIONS + "/anonymous", UNLICENSED: GLOBAL_PERMISSIONS + "/unlicensed"}

REASON_ABSENT = "endpoint_absent"
REASON_DENIED = "not_permitted"


class DcGlobalPermissions:
    def __init__(self, http: ConfluenceHTTP, features: Callable[[], Awaitable[Features]], users: UserKeys) -> None:
        self.http = http
        self.users = users
        self._features = features
        self._probed: JsonResponse | ConnectorError | None = None  # Validate's answer, for the sync's one read

    async def probe_admin(self) -> bool | None:
        """Validate: True when the caller may read global permissions (an administrator), False
        on 403, None when the site cannot say."""
        try:
            self._probed = await self.http.get_json(GLOBAL_PERMISSIONS)
        except ConnectorError as err:
            self._probed = err
            if err.code == grpc.StatusCode.PERMISSION_DENIED:
                return False
            return None
        return True

    async def global_permissions(self) -> GlobalPermissionListing:
        probed, self._probed = self._probed, None
        features = await self._features()
        if probed is None and not features.global_permissions:
            shown = f"Confluence {features.version}" if features.version else "this Confluence (older than 9.1)"
            return GlobalPermissionListing(
                unavailable=REASON_ABSENT,
                detail=f"{shown} has no Global Permissions REST API (Data Center 9.2.18+); the site resource "
                "has no grants",
            )
        try:
            main = probed if isinstance(probed, JsonResponse) else await self._main(probed)
        except ConnectorError as err:
            return _unavailable(err)
        extra = await asyncio.gather(*(self._class_items(kind, path) for kind, path in CLASS_LISTINGS.items()))
        found: dict[GlobalPermission, None] = {}
        for raw in _items(main.data):
            item = await self._item(raw, None)
            if item is not None:
                found[item] = None
        for kind, raws in extra:
            for raw in raws:
                item = await self._item(raw, kind)
                if item is not None:
                    found[item] = None
        return GlobalPermissionListing(tuple(found))

    async def _main(self, probed: ConnectorError | None) -> JsonResponse:
        if probed is not None:
            raise probed
        return await self.http.get_json(GLOBAL_PERMISSIONS)

    async def _class_items(self, kind: str, path: str) -> tuple[str, list[dict[str, Any]]]:
        try:
            return kind, _items((await self.http.get_json(path)).data)
        except ConnectorError as err:
            if err.code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED):
                return kind, []  # the main listing answered: a missing class listing only means "none"
            raise

    async def _item(self, raw: dict[str, Any], kind: str | None) -> GlobalPermission | None:
        operation = obj(raw.get("operation"))
        verb, target = text(operation.get("operationKey")), text(operation.get("targetType"))
        if not (verb and target):
            return None
        principal = (kind, kind) if kind else await self._subject(raw.get("subject"))
        if principal is None:
            return None
        return GlobalPermission(operation=verb, target=target, principal_type=principal[0], principal_id=principal[1])

    async def _subject(self, raw: Any) -> tuple[str, str] | None:
        if not isinstance(raw, dict):
            return None
        kind = text(raw.get("type")).lower()
        if kind == "user":
            nested = obj(raw.get("user")) or raw
            key = text(nested.get("userKey"))
            if not key and text(nested.get("username")):
                key = await self.users.key_of(text(nested.get("username"))) or ""
            return ("user", key) if key else None
        if kind == "group":
            nested = obj(raw.get("group")) or raw
            name = text(nested.get("name")) or text(nested.get("groupName"))
            return ("group", name) if name else None
        if kind in (ANONYMOUS, UNLICENSED):
            return kind, kind
        return (kind, kind) if kind else None  # a class Atlassian adds later stays visible


def _items(data: Any) -> list[dict[str, Any]]:
    """The items of a listing: a bare array, or `results` of an object (both shapes are played)."""
    if isinstance(data, dict):
        data = data.get("results")
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _unavailable(err: ConnectorError) -> GlobalPermissionListing:
    if err.code == grpc.StatusCode.NOT_FOUND:
        return GlobalPermissionListing(
            unavailable=REASON_ABSENT,
            detail=f"{GLOBAL_PERMISSIONS} answered 404: this Data Center is older than 9.2.18 (no Global "
            "Permissions REST API); the site resource has no grants",
        )
    if err.code == grpc.StatusCode.PERMISSION_DENIED:
        return GlobalPermissionListing(
            unavailable=REASON_DENIED,
            detail=f"{GLOBAL_PERMISSIONS} answered 403: only a Confluence administrator may read global "
            "permissions; the site resource has no grants",
        )
    raise err
