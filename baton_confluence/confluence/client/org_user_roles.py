"""Confluence product roles given to single accounts directly, from the organization admin API
(docs/site-and-activity.md §Cloud; shapes likely, not certain: simulator FACTS.md §Site and
organization).

No source says the bulk user search carries roles, so the accounts are listed by the bulk search
(`org_last_activity.read_bulk_users`; read once and shared with `--last-activity` when that reads
it too) and each account is asked once, concurrently at the admin client's own pace:
`GET /admin/v2/orgs/{orgId}/directories/-/users/{accountId}/role-assignments`. Items whose
`resourceId` is this site's Confluence count.

Only DIRECT assignments become user grants (a role through a group is the group's grant, expanded
to its members):
- a role whose `roleAssignments[]` entry names its methods is direct when they include `direct`;
- a role without methods (the deprecated `roles[]`, or `roleAssignments[]` without methods) is
  direct unless one of the account's groups gives it: the members of the groups holding a
  Confluence role are read from the site's own group listing, once per group, and only when such
  an answer comes. So in that shape a role held both directly and through a group shows as the
  group's grant only (the access is the same).

The first account is asked alone: a 403 or 404 there means the route is refused or absent, and the
listing says why (`partial`) without asking the others. Afterwards a 404 is an account the
organization does not know: counted, not failed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client.org_admin import OrgAdmin
from baton_confluence.confluence.client.org_last_activity import OrgLastActivity, read_bulk_users
from baton_confluence.confluence.client.pagination import ListingPage
from baton_confluence.confluence.client.records import Account, obj, text
from baton_confluence.confluence.client.urls import api_path

USER_ROLES = "/admin/v2/orgs/{}/directories/-/users/{}/role-assignments"
DIRECT = "direct"
NOT_READABLE = "direct_user_roles_not_readable"
NO_ACCOUNT_LISTING = "direct_user_roles_no_account_listing"
UNKNOWN_TO_ORG = "site.direct_roles_skipped.unknown_to_org"
REFUSED = (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND)


class GroupMemberLister(Protocol):
    async def group_members(self, group_id: str, token: str) -> ListingPage[Account]: ...


@dataclass(frozen=True, slots=True)
class DirectRoles:
    """Account id -> roles it holds directly on this site; or why they could not be read."""

    roles: Mapping[str, tuple[str, ...]]
    unknown_accounts: int = 0
    partial: str = ""  # snake_case reason when they could not be read
    detail: str = ""


class OrgUserRoles:
    def __init__(self, admin: OrgAdmin, members: GroupMemberLister, last_activity: OrgLastActivity | None) -> None:
        self.admin = admin
        self.members = members
        self.last_activity = last_activity  # shares the bulk listing when --last-activity reads it
        self._group_members: dict[str, asyncio.Task[frozenset[str]]] = {}

    async def direct_roles(self, site_resource: str, group_roles: Mapping[str, frozenset[str]]) -> DirectRoles:
        self._group_members = {}  # memberships are read afresh by every sync
        accounts = await self._accounts()
        if accounts is None:
            return DirectRoles({}, partial=NO_ACCOUNT_LISTING,
                               detail="the organization has no bulk user search to list its accounts")
        if not accounts:
            return DirectRoles({})
        try:
            first = await self._one(accounts[0], site_resource, group_roles)
        except ConnectorError as err:
            if err.code not in REFUSED:
                raise
            return DirectRoles({}, partial=NOT_READABLE,
                               detail=f"the organization admin API would not give account role assignments ({err.message})")
        rest = await asyncio.gather(*(self._known(a, site_resource, group_roles) for a in accounts[1:]))
        found = [(accounts[0], first), *zip(accounts[1:], rest, strict=True)]
        return DirectRoles({a: roles for a, roles in found if roles}, sum(1 for _, roles in found if roles is None))

    async def _accounts(self) -> list[str] | None:
        if self.last_activity is not None:
            return await self.last_activity.bulk_account_ids()
        users = await read_bulk_users(self.admin)
        return None if users is None else list(users)

    async def _known(self, account_id: str, site_resource: str,
                     group_roles: Mapping[str, frozenset[str]]) -> tuple[str, ...] | None:
        """The account's direct roles, None when the organization does not know it."""
        try:
            return await self._one(account_id, site_resource, group_roles)
        except ConnectorError as err:
            if err.code == grpc.StatusCode.NOT_FOUND:
                return None
            raise

    async def _one(self, account_id: str, site_resource: str,
                   group_roles: Mapping[str, frozenset[str]]) -> tuple[str, ...]:
        page = (await self.admin.http.get_json(api_path(USER_ROLES, self.admin.org_id, account_id))).json_object()
        direct: list[str] = []
        for item in page.get("data") or []:
            if not isinstance(item, dict) or text(item.get("resourceId")) != site_resource:
                continue
            with_methods, without = _assignments(item)
            direct.extend(role for role, methods in with_methods.items() if DIRECT in methods)
            if without:
                inherited = await self._inherited(account_id, group_roles)
                direct.extend(role for role in without if role not in inherited)
        return tuple(dict.fromkeys(direct))

    async def _inherited(self, account_id: str, group_roles: Mapping[str, frozenset[str]]) -> set[str]:
        held: set[str] = set()
        for group_id, roles in group_roles.items():
            if account_id in await self._members_of(group_id):
                held |= roles
        return held

    async def _members_of(self, group_id: str) -> frozenset[str]:
        task = self._group_members.get(group_id)
        if task is None:
            task = asyncio.ensure_future(self._read_members(group_id))
            self._group_members[group_id] = task
        return await asyncio.shield(task)

    async def _read_members(self, group_id: str) -> frozenset[str]:
        ids: set[str] = set()
        token = ""
        while True:
            page = await self.members.group_members(group_id, token)
            ids.update(account.id for account in page.items)
            token = page.next_token
            if not token:
                return frozenset(ids)


def _assignments(item: dict[str, Any]) -> tuple[dict[str, set[str]], list[str]]:
    """(role -> its assignment methods, roles named without any method) of one resource's item."""
    with_methods: dict[str, set[str]] = {}
    without: list[str] = []
    for entry in item.get("roleAssignments") or []:
        role = text(obj(entry).get("role"))
        methods = obj(entry).get("roleAssignmentMethods")
        if role and isinstance(methods, list):
            with_methods.setdefault(role, set()).update(text(m).lower() for m in methods)
        elif role:
            without.append(role)
    listed = [text(r) for r in item.get("roles") or [] if isinstance(r, str)] + [text(item.get("role"))]
    without += [r for r in listed if r and r not in with_methods]
    return with_methods, list(dict.fromkeys(without))
