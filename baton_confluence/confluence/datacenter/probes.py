"""Validate's one-request probes against Data Center (see `client/probes.py` for the rules).

The space-permission probe goes through the adapter's `SpacePermissionReader`: on 9.1+ it reads
`GET /rest/api/space/{key}/permissions/anonymous`, which needs the same permission as the full list
(Atlassian: 403 "does not have necessary permission") but is small, and the sync never reads it, so
no sync URL is fetched twice; before 9.1 it calls the remote API's `getSpacePermissionSets`, and
`permissions_unavailable` asks the remote API's `getServerInfo` whether the API is turned on. The admin probe reads the
global permissions (`GET /rest/api/permissions`, 9.2+), which only administrators may see (as
Confluence's own global-permission screen); other versions give no answer (None). Its answer is
kept for the sync that follows (`DcGlobalPermissions`), so the listing is fetched once.
"""

from __future__ import annotations

from baton_confluence.confluence.client import Account, ConfluenceHTTP, Group, SignedIn, Space, api_path, parse_all
from baton_confluence.confluence.datacenter import shapes
from baton_confluence.confluence.datacenter.global_permissions import DcGlobalPermissions
from baton_confluence.confluence.datacenter.permission_reader import SpacePermissionReader
from baton_confluence.confluence.datacenter.version import Features

REST = "/rest/api"
ONE: dict[str, int] = {"limit": 1}


class DataCenterProbes:
    """Mixed into `ConfluenceDataCenterAPI` (the Data Center side of client/contract.py)."""

    http: ConfluenceHTTP
    permission_reader: SpacePermissionReader  # made by the adapter
    global_permission_reader: DcGlobalPermissions  # made by the adapter

    async def features(self) -> Features:  # provided by the adapter
        raise NotImplementedError

    async def probe_current_user(self) -> SignedIn:
        """GET /rest/api/user/current; no account id when Confluence answers as the anonymous user.
        Whether it administers the site is asked separately (`probe_admin`)."""
        found = shapes.user((await self.http.get_json(f"{REST}/user/current")).json_object())
        return SignedIn(account_id="" if found is None else found.id)

    async def probe_spaces(self) -> list[Space]:
        return parse_all((await self.http.get_json(f"{REST}/space", ONE)).results(), shapes.space)

    async def probe_groups(self) -> list[Group]:
        return parse_all((await self.http.get_json(f"{REST}/group", ONE)).results(), shapes.group)

    async def probe_group_members(self, group_id: str) -> list[Account]:
        path = api_path(f"{REST}/group/{{}}/member", group_id)
        return parse_all((await self.http.get_json(path, ONE)).results(), shapes.user)

    async def probe_users(self) -> list[Account]:
        return parse_all((await self.http.get_json(f"{REST}/user/list", ONE)).results(), shapes.user)

    async def probe_space_permissions(self, space: Space) -> None:
        await self.permission_reader.probe(space.key)

    async def probe_admin(self, current_user: SignedIn) -> bool | None:
        if not (await self.features()).global_permissions:
            return None
        return await self.global_permission_reader.probe_admin()

    async def permissions_unavailable(self) -> str:
        """'' when space permissions can be read (9.1 REST, or the remote API turned on)."""
        return await self.permission_reader.unavailable()
