"""The organization admin API readers at the HTTP level (respx): each plausible response shape of
the bulk search, the per-account fallback on 404/405/403, other sites' entries left out."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from baton_confluence.confluence.client.capability_last_activity import LastActive, NoDate, parse_instant
from baton_confluence.confluence.client.capability_site import SiteIdentity
from baton_confluence.confluence.client.org_admin import OrgAdmin, org_admin_client
from baton_confluence.confluence.client.org_last_activity import ROUTE_BULK, ROUTE_PER_ACCOUNT, OrgLastActivity
from baton_confluence.confluence.client.org_product_roles import OrgProductRoles
from baton_confluence.confluence.client.records import Account

ADMIN = "https://admin.example.test"
CLOUD_ID = "cloud-1"
HERE = f"ari:cloud:confluence::site/{CLOUD_ID}"
ELSEWHERE = "ari:cloud:confluence::site/cloud-2"
BULK = f"{ADMIN}/admin/v2/orgs/org-1/directories/-/users/search"


class Site:
    async def site_identity(self) -> SiteIdentity:
        return SiteIdentity(CLOUD_ID, "example.atlassian.net")


def account(account_id: str, kind: str = "atlassian") -> Account:
    return Account(id=account_id, type=kind, name=account_id, email="", active=True)


def run(body: Callable[[OrgAdmin, respx.Router], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        admin = org_admin_client(ADMIN, "org-1", "key-1", max_rps=None, timeout=5.0)
        try:
            with respx.mock(assert_all_called=False) as router:
                return await body(admin, router)
        finally:
            await admin.http.aclose()

    return asyncio.run(go())


def test_bulk_pages_follow_the_cursor_and_pick_this_sites_confluence_entry() -> None:
    pages = [
        {"data": [{"accountId": "a", "productAccess": [
            {"key": "confluence", "id": ELSEWHERE, "lastActiveTimestamp": "2026-12-01T10:00:00Z"},
            {"key": "confluence", "id": HERE, "lastActiveTimestamp": "2026-10-02T03:04:05.000Z"},
            {"key": "jira-software", "id": HERE, "lastActiveTimestamp": "2026-12-02T00:00:00Z"}]}],
         "links": {"next": f"{BULK}?cursor=abc"}},  # a URL carrying the cursor
        {"data": [{"account_id": "b", "productAccess": [{"key": "confluence", "last_active": "2026-09-30"}]},
                  {"accountId": "c", "productAccess": []}],
         "links": {"next": "def"}},  # a bare cursor
        {"data": [], "links": {}},
    ]
    bodies: list[dict[str, Any]] = []

    async def body(admin: OrgAdmin, router: respx.Router) -> tuple[list[LastActive], str]:
        def answer(request: httpx.Request) -> httpx.Response:
            bodies.append(json.loads(request.content))
            assert request.headers["authorization"] == "Bearer key-1"
            return httpx.Response(200, json=pages[len(bodies) - 1])

        router.post(BULK).mock(side_effect=answer)
        reader = OrgLastActivity(admin, Site())
        found = await asyncio.gather(*(reader.last_active(account(a)) for a in ("a", "b", "c", "zz")))
        return list(found), reader.route

    found, route = run(body)
    assert route == ROUTE_BULK
    assert [b.get("cursor") for b in bodies] == [None, "abc", "def"]
    assert all(b["expand"] == ["productAccess"] for b in bodies)
    assert found == [
        LastActive(datetime(2026, 10, 2, 3, 4, 5, tzinfo=UTC)),
        LastActive(datetime(2026, 9, 30, tzinfo=UTC)),  # a date alone is midnight UTC
        LastActive.none(NoDate.NEVER_ACTIVE),
        LastActive.none(NoDate.UNKNOWN_TO_ORG),
    ]


@pytest.mark.parametrize("status", [404, 405, 403])
def test_without_the_bulk_route_each_account_is_asked_once(status: int) -> None:
    async def body(admin: OrgAdmin, router: respx.Router) -> tuple[list[LastActive], int, str]:
        router.post(BULK).mock(return_value=httpx.Response(status, json={"message": "no"}))
        one = router.get(f"{ADMIN}/admin/v1/orgs/org-1/directory/users/a%3A1/last-active-dates").mock(
            return_value=httpx.Response(200, json={"data": {"product_access": [
                {"id": HERE, "key": "confluence", "last_active": "2026-11-05"},
                {"id": ELSEWHERE, "key": "confluence", "last_active": "2026-11-30"}]}})
        )
        router.get(f"{ADMIN}/admin/v1/orgs/org-1/directory/users/gone/last-active-dates").mock(
            return_value=httpx.Response(404, json={"message": "User not found"})
        )
        reader = OrgLastActivity(admin, Site())
        asked = [account("a:1"), account("a:1"), account("gone"), account("bot", "app")]
        found = await asyncio.gather(*(reader.last_active(a) for a in asked))
        return list(found), one.call_count, reader.route

    found, calls, route = run(body)
    assert route == ROUTE_PER_ACCOUNT and calls == 1
    assert found == [
        LastActive(datetime(2026, 11, 5, tzinfo=UTC)),
        LastActive(datetime(2026, 11, 5, tzinfo=UTC)),
        LastActive.none(NoDate.UNKNOWN_TO_ORG),
        LastActive.none(NoDate.APP_ACCOUNT),  # never asked
    ]


@pytest.mark.parametrize(
    "item",
    [
        {"resourceId": HERE, "roleAssignments": [{"role": "atlassian/admin"}, {"role": "atlassian/user"}]},
        {"resourceId": HERE, "roles": ["atlassian/admin", "atlassian/user"]},
    ],
    ids=["nested", "list"],
)
def test_product_roles_of_this_site_become_global_permissions(item: dict[str, Any]) -> None:
    async def body(admin: OrgAdmin, router: respx.Router) -> Any:
        router.get(f"{ADMIN}/admin/v2/orgs/org-1/directories/-/groups").mock(
            return_value=httpx.Response(200, json={"data": [{"id": "g1", "name": "admins"}], "links": {}})
        )
        router.get(f"{ADMIN}/admin/v2/orgs/org-1/directories/-/groups/g1/role-assignments").mock(
            return_value=httpx.Response(200, json={"data": [
                item, {"resourceId": ELSEWHERE, "role": "atlassian/admin"},
                {"resourceId": HERE, "role": "atlassian/site-admin"}]})
        )
        return await OrgProductRoles(admin, Site()).global_permissions()

    listing = run(body)
    assert {(p.operation, p.target, p.principal_type, p.principal_id) for p in listing.items} == {
        ("administer", "application", "group", "g1"),
        ("use", "application", "group", "g1"),
        ("site-admin", "product_role", "group", "g1"),
    }
    assert listing.partial == "direct_user_roles_not_read" and not listing.unavailable


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-30", datetime(2026, 11, 30, tzinfo=UTC)),
        ("2026-11-30T12:00:00Z", datetime(2026, 11, 30, 12, tzinfo=UTC)),
        ("2026-11-30T12:00:00", datetime(2026, 11, 30, 12, tzinfo=UTC)),
        (1_764_504_000_000, datetime(2025, 11, 30, 12, tzinfo=UTC)),
        ("1764504000000", datetime(2025, 11, 30, 12, tzinfo=UTC)),
        ("", None),
        ("yesterday", None),
        (True, None),
        (None, None),
    ],
)
def test_instants_in_every_plausible_spelling(value: object, expected: datetime | None) -> None:
    assert parse_instant(value) == expected
