"""Roles given to accounts directly, at the HTTP level (respx): an account the organization does
not know (404 after the first account answered) is counted, not failed; an organization without a
bulk user search leaves them unread with a reason; methods decide what is direct, and without
methods what a group of the account gives is subtracted."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import respx

from baton_confluence.confluence.client.org_admin import org_admin_client
from baton_confluence.confluence.client.org_user_roles import (
    NO_ACCOUNT_LISTING,
    DirectRoles,
    OrgUserRoles,
)
from baton_confluence.confluence.client.pagination import ListingPage
from baton_confluence.confluence.client.records import Account

ADMIN = "https://admin.example.test"
HERE = "ari:cloud:confluence::site/cloud-1"
USERS = f"{ADMIN}/admin/v2/orgs/org-1/directories/-/users"


class Members:
    """The site's group member listing: group g1 holds account `b`, in two pages."""

    def __init__(self) -> None:
        self.calls = 0

    async def group_members(self, group_id: str, token: str) -> ListingPage[Account]:
        self.calls += 1
        assert group_id == "g1"
        if not token:
            return ListingPage([Account(id="x", type="atlassian", name="x", email="", active=True)], "2")
        return ListingPage([Account(id="b", type="atlassian", name="b", email="", active=True)])


def _read(roles: dict[str, Any], *, bulk: httpx.Response | None = None) -> tuple[DirectRoles, Members]:
    members = Members()

    async def go() -> DirectRoles:
        admin = org_admin_client(ADMIN, "org-1", "key-1", max_rps=None, timeout=5.0)
        try:
            with respx.mock(assert_all_called=False) as router:
                router.post(f"{USERS}/search").mock(return_value=bulk or httpx.Response(
                    200, json={"data": [{"accountId": a} for a in roles], "links": {}}))
                for account_id, answer in roles.items():
                    router.get(f"{USERS}/{account_id}/role-assignments").mock(return_value=answer)
                reader = OrgUserRoles(admin, members, None)
                return await reader.direct_roles(HERE, {"g1": frozenset({"atlassian/admin"})})
        finally:
            await admin.http.aclose()

    return asyncio.run(go()), members


def _answer(*items: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"data": list(items), "links": {}})


def test_methods_decide_and_unknown_accounts_are_counted() -> None:
    found, members = _read({
        "a": _answer({"resourceId": HERE, "roleAssignments": [
            {"role": "atlassian/admin", "roleAssignmentMethods": ["group_direct"]},
            {"role": "atlassian/user", "roleAssignmentMethods": ["direct", "group_direct"]}]},
            {"resourceId": "ari:cloud:jira::site/cloud-1", "roles": ["atlassian/admin"]}),
        "gone": httpx.Response(404, json={"message": "User not found"}),
    })
    assert dict(found.roles) == {"a": ("atlassian/user",)}
    assert found.unknown_accounts == 1 and not found.partial
    assert members.calls == 0  # methods given: no membership read


def test_without_methods_a_groups_role_is_subtracted() -> None:
    found, members = _read({
        "b": _answer({"resourceId": HERE, "roles": ["atlassian/admin", "atlassian/user"]}),
        "c": _answer({"resourceId": HERE, "roleAssignments": [{"role": "atlassian/admin"}]}),
    })
    # b is a member of g1 (which gives admin): only user is direct; c is not: admin is direct.
    assert dict(found.roles) == {"b": ("atlassian/user",), "c": ("atlassian/admin",)}
    assert members.calls == 2  # g1's two pages, read once for both accounts


def test_no_bulk_search_leaves_them_unread_with_a_reason() -> None:
    found, _ = _read({"a": _answer()}, bulk=httpx.Response(404, json={"message": "Not Found"}))
    assert found.partial == NO_ACCOUNT_LISTING and not found.roles
