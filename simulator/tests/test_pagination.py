"""Every list endpoint pages completely, in order, with page size 1 and with clamped limits."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from confluence_simulator import SimulatedSite
from site_helpers import walk_v1, walk_v2


@pytest.mark.parametrize("limit", [1, 7, None])
def test_v1_groups_page_through_all_groups_alphabetically(
    site: SimulatedSite, client: httpx.Client, limit: int | None
) -> None:
    params = {} if limit is None else {"limit": limit}
    results, pages = walk_v1(client, "/wiki/rest/api/group", params)
    names = [g["name"] for g in results]
    assert names == sorted(g.name for g in site.state.groups.values())
    assert all(g["type"] == "group" for g in results)
    assert "next" not in pages[-1]["_links"]
    assert all("next" in p["_links"] for p in pages[:-1])
    if limit == 1:
        assert len(pages) == len(site.state.groups)
        assert [p["start"] for p in pages] == list(range(len(pages)))


def test_v1_limit_above_maximum_is_clamped_and_echoed(client: httpx.Client) -> None:
    body = client.get("/wiki/rest/api/group", params={"limit": 5000}).json()
    assert body["limit"] == 200
    body = client.get("/wiki/rest/api/search/user", params={"cql": "type=user", "limit": 5000}).json()
    assert body["limit"] == 1000


def test_v1_members_page_through_and_limit_201_is_refused(site: SimulatedSite, client: httpx.Client) -> None:
    group = site.state.groups_by_name["confluence-users"]
    path = f"/wiki/rest/api/group/{group.id}/membersByGroupId"
    results, pages = walk_v1(client, path, {"limit": 3, "expand": "operations"})
    assert [u["accountId"] for u in results] == group.members
    assert all("operations" in u for u in results)
    assert pages[0]["_links"]["next"].startswith(f"/rest/api/group/{group.id}/membersByGroupId?")
    assert "expand=operations" in pages[0]["_links"]["next"]

    ok = client.get(path, params={"limit": 200})
    assert ok.status_code == 200 and ok.json()["limit"] == 200
    refused = client.get(path, params={"limit": 201})
    assert refused.status_code == 400
    body = refused.json()
    assert body["statusCode"] == 400 and "200" in body["message"]

    total = client.get(path, params={"shouldReturnTotalSize": "true", "limit": 1}).json()
    assert total["totalSize"] == len(group.members)


def test_v1_user_search_lists_by_site_permission_filter(site: SimulatedSite, client: httpx.Client) -> None:
    state = site.state
    licensed, _ = walk_v1(client, "/wiki/rest/api/search/user", {"cql": "type=user", "limit": 9})
    guests, _ = walk_v1(
        client, "/wiki/rest/api/search/user", {"cql": "type=user", "sitePermissionTypeFilter": "externalCollaborator"}
    )
    everyone, _ = walk_v1(
        client, "/wiki/rest/api/search/user", {"cql": "type=user", "sitePermissionTypeFilter": "all", "limit": 1000}
    )
    assert [r["user"]["accountId"] for r in licensed] == state.search_licensed
    assert [r["user"]["accountId"] for r in guests] == state.search_guests
    assert {r["user"]["accountId"] for r in everyone} == set(state.users)
    assert all(r["entityType"] == "user" for r in licensed)
    assert all(r["user"]["isExternalCollaborator"] for r in guests)
    assert {r["user"]["accountType"] for r in everyone} == {"atlassian", "app", "customer"}


def test_v1_user_search_operations_mark_deactivated_users(site: SimulatedSite, client: httpx.Client) -> None:
    results, _ = walk_v1(
        client, "/wiki/rest/api/search/user", {"cql": "type=user", "limit": 200, "expand": "operations"}
    )
    by_id = {r["user"]["accountId"]: r["user"] for r in results}
    inactive = [u for u in site.state.users.values() if not u.active and u.account_id in by_id]
    assert inactive, "the generator should deactivate some users"
    for user in inactive:
        assert by_id[user.account_id]["operations"] == []
    active = [a for a, u in by_id.items() if site.state.users[a].active]
    assert all(by_id[a]["operations"] for a in active)
    assert any(u["email"] == "" for u in by_id.values()), "privacy hides some emails"


def test_v1_user_search_by_account_id_and_bad_cql(site: SimulatedSite, client: httpx.Client) -> None:
    account_id = site.state.search_licensed[3]
    body = client.get("/wiki/rest/api/search/user", params={"cql": f'user.accountid="{account_id}"'}).json()
    assert [r["user"]["accountId"] for r in body["results"]] == [account_id]
    bad = client.get("/wiki/rest/api/search/user", params={"cql": "space = FOO"})
    assert bad.status_code == 400


@pytest.mark.parametrize("limit", [1, 4, None])
def test_v2_spaces_page_by_id_and_hide_invisible(site: SimulatedSite, client: httpx.Client, limit: int | None) -> None:
    params = {} if limit is None else {"limit": limit}
    results, responses = walk_v2(client, "/wiki/api/v2/spaces", params)
    ids = [int(s["id"]) for s in results]
    assert ids == sorted(s.id for s in site.state.spaces.values() if not s.hidden)
    assert all(isinstance(s["id"], str) for s in results)
    if limit == 1:
        assert len(responses) == len(ids)


def test_v2_spaces_filters(site: SimulatedSite, client: httpx.Client) -> None:
    personal, _ = walk_v2(client, "/wiki/api/v2/spaces", {"type": "personal", "limit": 2})
    assert personal and all(s["type"] == "personal" and s["key"].startswith("~") for s in personal)
    archived, _ = walk_v2(client, "/wiki/api/v2/spaces", {"status": "archived", "limit": 1})
    assert {s["id"] for s in archived} == {str(s.id) for s in site.state.spaces.values() if s.status == "archived"}
    keys = sorted(site.state.spaces_by_key)[:3]
    picked, _ = walk_v2(client, "/wiki/api/v2/spaces", {"keys": ",".join(keys), "limit": 1})
    assert sorted(s["key"] for s in picked) == keys
    assert client.get("/wiki/api/v2/spaces", params={"type": "nope"}).status_code == 400


def test_v2_limit_is_clamped_to_250_and_defaults_to_25(client: httpx.Client) -> None:
    response = client.get("/wiki/api/v2/spaces", params={"limit": 1, "foo": "bar"})
    assert "limit=1" in response.json()["_links"]["next"]
    assert "foo=bar" in response.json()["_links"]["next"]
    big = client.get("/wiki/api/v2/spaces", params={"limit": 1000})
    assert big.status_code == 200
    assert client.get("/wiki/api/v2/spaces", params={"limit": 0}).status_code == 400


def test_v2_limit_clamp_is_echoed_in_next_link() -> None:
    from confluence_simulator import SiteSpec

    with SimulatedSite(SiteSpec(seed=3, users=5, spaces=260, personal_space_fraction=0.0)) as big, httpx.Client(
        base_url=big.url, auth=(big.spec.username, big.spec.api_token)
    ) as c:
        body = c.get("/wiki/api/v2/spaces", params={"limit": 1000}).json()
        assert len(body["results"]) == 250
        assert "limit=250" in body["_links"]["next"]
        first = c.get("/wiki/api/v2/spaces").json()
        assert len(first["results"]) == 25


def test_v2_space_permissions_and_role_listings_page_completely(site: SimulatedSite, client: httpx.Client) -> None:
    space = next(s for s in site.state.spaces.values() if not s.hidden and s.type != "personal")
    perms, _ = walk_v2(client, f"/wiki/api/v2/spaces/{space.id}/permissions", {"limit": 1})
    assert [int(p["id"]) for p in perms] == [p.id for p in site.state.space_permissions(space.id)]
    assert {p["principal"]["type"] for p in perms} <= {"user", "group", "role", "access_class"}

    roles, _ = walk_v2(client, "/wiki/api/v2/space-roles", {"limit": 1})
    assert [r["id"] for r in roles] == [r.id for r in site.state.roles]
    system, _ = walk_v2(client, "/wiki/api/v2/space-roles", {"role-type": "SYSTEM"})
    assert [r["name"] for r in system] == ["Admin", "Manager", "Collaborator", "Viewer"]

    assignments, _ = walk_v2(client, f"/wiki/api/v2/spaces/{space.id}/role-assignments", {"limit": 1})
    expected = site.state.space_role_assignments(space.id)
    assert {(a["principal"]["principalType"], a["principal"]["principalId"]): a["roleId"] for a in assignments} == (
        expected
    )
    admin_role = next(r.id for r in site.state.roles if r.name == "Admin")
    admins, _ = walk_v2(client, f"/wiki/api/v2/spaces/{space.id}/role-assignments", {"role-id": admin_role})
    assert admins and all(a["roleId"] == admin_role for a in admins)


def test_v2_cursors_are_opaque_and_checked(site: SimulatedSite, client: httpx.Client) -> None:
    first = client.get("/wiki/api/v2/spaces", params={"limit": 1}).json()
    cursor = first["_links"]["next"].split("cursor=")[1].split("&")[0]
    assert client.get("/wiki/api/v2/spaces", params={"cursor": cursor}).status_code == 200
    assert client.get("/wiki/api/v2/spaces", params={"cursor": "%%%not-base64"}).status_code == 400
    # A cursor replayed with other filters belongs to another listing.
    assert client.get("/wiki/api/v2/spaces", params={"cursor": cursor, "status": "current"}).status_code == 400
    forged = base64.urlsafe_b64encode(json.dumps({"a": "x", "f": "y"}).encode()).decode()
    error = client.get("/wiki/api/v2/spaces", params={"cursor": forged})
    assert error.status_code == 400
    assert error.json()["errors"][0]["code"] == "BAD_REQUEST"
