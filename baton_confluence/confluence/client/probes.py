"""Cheap read probes for Validate: one request each, `limit=1`, never a URL the sync fetches.

Validate must find missing permissions before a long sync fails on them, at the cost of a handful
of requests. Every probe asks for one item with `limit=1`, which no listing sends, so the sync's
own pages are neither fetched twice nor served stale. Each probe raises the client's
`ConnectorError` (with the HTTP status mapped to a gRPC code) when the account may not do it.
"""

from __future__ import annotations

from baton_confluence.confluence.client import records
from baton_confluence.confluence.client.records import Account, Group, SignedIn, Space, parse_all
from baton_confluence.confluence.client.transport import ConfluenceHTTP
from baton_confluence.confluence.client.urls import api_path

_V1 = "/wiki/rest/api"
_V2 = "/wiki/api/v2"
ONE: dict[str, int] = {"limit": 1}


class CloudProbes:
    """Mixed into `ConfluenceCloudAPI`; the Data Center adapter has its own (datacenter/probes.py)."""

    http: ConfluenceHTTP

    async def probe_current_user(self) -> SignedIn:
        """GET /user/current?expand=operations: who we are, and (operations) whether an admin."""
        response = await self.http.get_json(f"{_V1}/user/current", {"expand": "operations"})
        return records.signed_in(response.json_object())

    async def probe_spaces(self) -> list[Space]:
        return parse_all((await self.http.get_json(f"{_V2}/spaces", ONE)).results(), records.space)

    async def probe_groups(self) -> list[Group]:
        return parse_all((await self.http.get_json(f"{_V1}/group", ONE)).results(), records.group)

    async def probe_group_members(self, group_id: str) -> list[Account]:
        path = api_path(f"{_V1}/group/{{}}/membersByGroupId", group_id)
        return parse_all((await self.http.get_json(path, ONE)).results(), records.account)

    async def probe_users(self) -> list[Account]:
        response = await self.http.get_json(f"{_V1}/search/user", {"cql": "type=user", "limit": 1})
        return parse_all(response.results(), records.account)

    async def probe_space_permissions(self, space: Space) -> None:
        await self.http.get_json(api_path(f"{_V2}/spaces/{{}}/permissions", space.id), ONE)

    async def probe_admin(self, current_user: SignedIn) -> bool | None:
        """Confluence administrator? Read from the sign-in answer's operations (no request)."""
        return current_user.administers_site

    async def permissions_unavailable(self) -> str:
        """Why space permissions cannot be synced on this site ('' on Cloud: always available)."""
        return ""

    # The two role probes belong to the SpaceRolesAPI capability (capability_space_roles.py).
    async def probe_space_roles(self) -> None:
        await self.http.get_json(f"{_V2}/space-roles", ONE)

    async def probe_role_assignments(self, space_id: str) -> None:
        await self.http.get_json(api_path(f"{_V2}/spaces/{{}}/role-assignments", space_id), ONE)

