"""ConfluenceCloudAPI: exact requests for each endpoint, one page per call."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import httpx
import pytest
import respx

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import Account, ConfluenceCloudAPI, Group, ListingPage, RoleAssignment

BASE = "https://example.atlassian.net"

Scenario = Callable[[ConfluenceCloudAPI, respx.Router], Awaitable[Any]]


@pytest.fixture
def run(make_http: Any) -> Callable[[Scenario], Any]:
    def runner(scenario: Scenario) -> Any:
        async def main() -> Any:
            with respx.mock(base_url=BASE, assert_all_called=True) as router:
                return await scenario(ConfluenceCloudAPI(make_http()), router)

        return asyncio.run(main())

    return runner


def params_of(route: respx.Route) -> dict[str, str]:
    return dict(route.calls.last.request.url.params)


def test_search_users_asks_for_guests_and_unwraps_users(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> tuple[ListingPage, dict[str, str]]:
        body = {
            "results": [{"user": {"accountId": "a1", "operations": []}, "entityType": "user"}],
            "size": 1,
            "_links": {"next": "/rest/api/search/user?cql=type%3Duser&limit=200&start=400"},
        }
        route = router.get("/wiki/rest/api/search/user").mock(return_value=httpx.Response(200, json=body))
        page = await api.search_users("200")
        return page, params_of(route)

    page, params = run(scenario)
    # parsed into its record: no operations means an unlicensed or deactivated account
    assert page.items == [Account(id="a1", type="", name="a1", email="", active=False)]
    assert page.next_token == "201"  # start + items received; the link's start=400 would skip 199
    assert params == {
        "cql": "type=user",
        "expand": "operations",
        "sitePermissionTypeFilter": "all",
        "start": "200",
        "limit": "200",
    }


def test_search_users_licensed_only(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> dict[str, str]:
        route = router.get("/wiki/rest/api/search/user").mock(return_value=httpx.Response(200, json={"results": []}))
        await api.search_users("", include_guests=False)
        return params_of(route)

    assert run(scenario)["sitePermissionTypeFilter"] == "none"


def test_group_members_escapes_the_id_and_uses_limit_200(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> tuple[ListingPage, httpx.Request]:
        route = router.get(url__regex=r".*/group/.*/membersByGroupId").mock(
            return_value=httpx.Response(200, json={"results": [{"accountId": "a"}], "size": 1, "_links": {}})
        )
        page = await api.group_members("g/1 #x", "")
        return page, route.calls.last.request

    page, request = run(scenario)
    assert request.url.raw_path.startswith(b"/wiki/rest/api/group/g%2F1%20%23x/membersByGroupId?")
    assert dict(request.url.params) == {"start": "0", "limit": "200", "expand": "operations"}
    assert page.next_token == ""


def test_list_groups(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> tuple[ListingPage, dict[str, str]]:
        body = {"results": [{"id": "g1", "name": "devs"}], "size": 1, "_links": {"next": "/rest/api/group?start=1"}}
        route = router.get("/wiki/rest/api/group").mock(return_value=httpx.Response(200, json=body))
        return await api.list_groups(""), params_of(route)

    page, params = run(scenario)
    assert page.next_token == "1" and params == {"start": "0", "limit": "200"}


def test_list_spaces_passes_filters_and_cursor(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> tuple[ListingPage, dict[str, str]]:
        route = router.get("/wiki/api/v2/spaces").mock(
            return_value=httpx.Response(
                200,
                json={"results": [{"id": "1", "key": "ENG"}]},
                headers={"Link": '</wiki/api/v2/spaces?cursor=C2&limit=250>; rel="next"'},
            )
        )
        page = await api.list_spaces("C1", type="global", status="current", keys=["ENG", "OPS"])
        return page, params_of(route)

    page, params = run(scenario)
    assert page.next_token == "C2"
    assert params == {"limit": "250", "cursor": "C1", "type": "global", "status": "current", "keys": "ENG,OPS"}


def test_first_v2_page_sends_no_cursor(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> dict[str, str]:
        route = router.get("/wiki/api/v2/spaces/42/permissions").mock(
            return_value=httpx.Response(200, json={"results": [], "_links": {}})
        )
        page = await api.space_permissions("42", "")
        assert page.next_token == ""
        return params_of(route)

    assert run(scenario) == {"limit": "250"}


def test_add_group_member_posts_account_id_and_accepts_empty_201(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> httpx.Request:
        route = router.post("/wiki/rest/api/group/userByGroupId").mock(return_value=httpx.Response(201))
        await api.add_group_member(group_id="g-1", account_id="acc-9")
        return route.calls.last.request

    request = run(scenario)
    assert dict(request.url.params) == {"groupId": "g-1"}
    assert json.loads(request.content) == {"accountId": "acc-9"}


def test_remove_group_member(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> dict[str, str]:
        route = router.delete("/wiki/rest/api/group/userByGroupId").mock(return_value=httpx.Response(204))
        await api.remove_group_member(group_id="g-1", account_id="acc-9")
        return params_of(route)

    assert run(scenario) == {"groupId": "g-1", "accountId": "acc-9"}


def test_space_permission_writes(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> tuple[bool, httpx.Request]:
        post = router.post("/wiki/rest/api/space/EN%20G/permission").mock(
            return_value=httpx.Response(200, json={"id": 77})
        )
        delete = router.delete("/wiki/rest/api/space/EN%20G/permission/77").mock(return_value=httpx.Response(204))
        await api.add_space_permission(
            "EN G", subject_type="user", identifier="acc-1", operation_key="read", target="space"
        )
        await api.remove_space_permission("EN G", permission_id="77")
        return delete.called, post.calls.last.request

    deleted, request = run(scenario)
    assert deleted
    assert json.loads(request.content) == {
        "subject": {"type": "user", "identifier": "acc-1"},
        "operation": {"key": "read", "target": "space"},
    }


def test_space_roles(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> tuple[str, ListingPage, dict[str, str]]:
        router.get("/wiki/api/v2/space-role-mode").mock(return_value=httpx.Response(200, json={"mode": "ROLES"}))
        route = router.get("/wiki/api/v2/spaces/5/role-assignments").mock(
            return_value=httpx.Response(
                200,
                json={"results": [{"principal": {"principalType": "user", "principalId": "a"}, "roleId": "r1"}, {"roleId": "r2"}]},
            )
        )
        mode = await api.space_role_mode()
        page = await api.space_role_assignments("5", "", role_id="r1", principal_id="a", principal_type="user")
        return mode, page, params_of(route)

    mode, page, params = run(scenario)
    assert mode == "ROLES"
    # principal types upper-cased; an assignment without its principal names nobody and is left out
    assert page.items == [RoleAssignment("USER", "a", "r1")]
    assert params == {"limit": "250", "role-id": "r1", "principal-id": "a", "principal-type": "USER"}


def test_role_assignment_filters_must_come_in_pairs(make_http: Any) -> None:
    api = ConfluenceCloudAPI(make_http())
    with pytest.raises(ConnectorError) as caught:
        asyncio.run(api.space_role_assignments("5", "", principal_id="a"))
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT


def test_set_role_assignments_body_and_retry_after_500(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> tuple[Any, respx.Route]:
        route = router.post("/wiki/api/v2/spaces/5/role-assignments").mock(
            side_effect=[
                httpx.Response(500),
                httpx.Response(
                    200, json={"results": [{"principal": {"principalType": "USER", "principalId": "a"}, "roleId": "r1"}]}
                ),
            ]
        )
        result = await api.set_role_assignments(
            "5", [RoleAssignment("user", "a", "r1"), RoleAssignment("GROUP", "g", None)]
        )
        return result, route

    result, route = run(scenario)
    assert route.call_count == 2  # a declarative "set" is safe to replay
    assert json.loads(route.calls.last.request.content) == [
        {"principal": {"principalType": "USER", "principalId": "a"}, "roleId": "r1"},
        {"principal": {"principalType": "GROUP", "principalId": "g"}},
    ]
    assert result == [RoleAssignment("USER", "a", "r1")]


def test_paging_through_groups_one_page_per_call_fetches_each_url_once(make_http: Any) -> None:
    """The sync engine's loop: call, store the token, call again; every page fetched once."""
    groups = [{"id": f"g{n}", "name": f"group {n}"} for n in range(5)]

    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params["start"])
        body: dict[str, Any] = {"results": groups[start : start + 2], "size": len(groups[start : start + 2])}
        body["_links"] = {"next": f"/rest/api/group?start={start + 2}"} if start + 2 < len(groups) else {}
        return httpx.Response(200, json=body)

    async def main() -> tuple[list[Group], Any]:
        api = ConfluenceCloudAPI(make_http())
        seen: list[Group] = []
        with respx.mock(base_url=BASE) as router:
            router.get("/wiki/rest/api/group").mock(side_effect=answer)
            token = ""
            while True:
                page = await api.list_groups(token)
                seen.extend(page.items)
                if not page.next_token:
                    break
                token = page.next_token
        return seen, api.http.stats

    seen, stats = asyncio.run(main())
    assert seen == [Group(id=g["id"], name=g["name"], type="") for g in groups]
    assert stats.calls == 3 and stats.repeated() == {}


def test_is_group_member_pages_the_users_groups_not_the_groups_members(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> tuple[bool, bool, list[dict[str, str]]]:
        pages = [
            {"results": [{"id": "g1"}, {"id": "g2"}], "size": 2, "_links": {"next": "/rest/api/user/memberof?start=2"}},
            {"results": [{"id": "g3"}], "size": 1, "_links": {}},
        ]
        route = router.get("/wiki/rest/api/user/memberof").mock(
            side_effect=[httpx.Response(200, json=p) for p in pages + pages[:1]]
        )
        absent = await api.is_group_member("g9", "acc 1")  # reads both pages
        present = await api.is_group_member("g2", "acc 1")  # stops on the first page
        return absent, present, [dict(call.request.url.params) for call in route.calls]

    absent, present, params = run(scenario)
    assert (absent, present) == (False, True)
    assert params == [
        {"accountId": "acc 1", "start": "0", "limit": "200"},
        {"accountId": "acc 1", "start": "2", "limit": "200"},
        {"accountId": "acc 1", "start": "0", "limit": "200"},
    ]
