"""Validate's one-request probes against Data Center (see `client/probes.py` for the rules).

The space-permission probe goes through the adapter's `SpacePermissionReader`: on 9.1+ it reads
`GET /rest/api/space/{key}/permissions/anonymous`, which needs the same permission as the full list
(Atlassian: 403 "does not have necessary permission") but is small, and the sync never reads it, so
no sync URL is fetched twice; before 9.1 it calls the remote API's `getSpacePermissionSets`, and
`permissions_unavailable` asks the remote API's `getServerInfo` whether the API is turned on. The admin probe reads the
global permissions (`GET /rest/api/permissions`, 9.2+), which only administrators may see (as
Confluence's own global-permission screen); other versions give no answer (None).
"""

from __future__ import annotations

from typing import Any

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client.transport import ConfluenceHTTP, JsonResponse
from baton_confluence.confluence.client.urls import api_path
from baton_confluence.confluence.datacenter import shapes
from baton_confluence.confluence.datacenter.permission_reader import SpacePermissionReader
from baton_confluence.confluence.datacenter.version import Features

REST = "/rest/api"
ONE: dict[str, int] = {"limit": 1}


class DataCenterProbes:
    http: ConfluenceHTTP
    permission_reader: SpacePermissionReader  # made by the adapter

    async def features(self) -> Features:  # provided by the adapter
        raise NotImplementedError

    async def probe_current_user(self) -> dict[str, Any]:
        """GET /rest/api/user/current; {} when Confluence answers as the anonymous user."""
        mapped = shapes.user(_object(await self.http.get_json(f"{REST}/user/current")))
        return mapped or {}

    async def probe_spaces(self) -> list[dict[str, Any]]:
        return _mapped(await self.http.get_json(f"{REST}/space", ONE), shapes.space)

    async def probe_groups(self) -> list[dict[str, Any]]:
        return _mapped(await self.http.get_json(f"{REST}/group", ONE), shapes.group)

    async def probe_group_members(self, group_id: str) -> list[dict[str, Any]]:
        path = api_path(f"{REST}/group/{{}}/member", group_id)
        return _mapped(await self.http.get_json(path, ONE), shapes.user)

    async def probe_users(self) -> list[dict[str, Any]]:
        return _mapped(await self.http.get_json(f"{REST}/user/list", ONE), shapes.user)

    async def probe_space_permissions(self, space: dict[str, Any]) -> None:
        await self.permission_reader.probe(str(space.get("key", "")))

    async def probe_admin(self, current_user: dict[str, Any]) -> bool | None:
        if not (await self.features()).global_permissions:
            return None
        try:
            await self.http.get_json(f"{REST}/permissions")
        except ConnectorError as err:
            if err.code == grpc.StatusCode.PERMISSION_DENIED:
                return False
            return None
        return True

    async def permissions_unavailable(self) -> str:
        """'' when space permissions can be read (9.1 REST, or the remote API turned on)."""
        return await self.permission_reader.unavailable()

    async def probe_space_roles(self) -> list[dict[str, Any]]:
        raise _cloud_only()

    async def probe_role_assignments(self, space_id: str) -> list[dict[str, Any]]:
        raise _cloud_only()


def _cloud_only() -> ConnectorError:
    return ConnectorError(
        grpc.StatusCode.FAILED_PRECONDITION, "baton-confluence: space roles exist on Confluence Cloud only"
    )


def _object(response: JsonResponse) -> dict[str, Any]:
    return response.data if isinstance(response.data, dict) else {}


def _mapped(response: JsonResponse, shape: Any) -> list[dict[str, Any]]:
    results = _object(response).get("results")
    raw = [item for item in results if isinstance(item, dict)] if isinstance(results, list) else []
    return [m for m in (shape(item) for item in raw) if m is not None]
