"""Space permissions before Data Center 9.1: the JSON-RPC remote API, request and mapping (respx).

Expected items are written out by hand from each canned answer: a user by the key the site gives
its username, a group by name, no name at all as anonymous, and the permission type as the verb-noun
pair of docs/datacenter.md's table.
"""

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
from baton_confluence.confluence.client import BearerAuth, ConfluenceHTTP, Space, SpacePermission
from baton_confluence.confluence.datacenter import ConfluenceDataCenterAPI

BASE = "https://confluence.example.com/confluence"
RPC = "/rpc/json-rpc/confluenceservice-v2"
SPACE = {"id": 42, "key": "ENG", "name": "Engineering", "type": "global", "status": "current"}
OLD = {"version": None}  # /server-information 404: older than 9.1

Scenario = Callable[[ConfluenceDataCenterAPI, respx.Router], Awaitable[Any]]


def run(scenario: Scenario, *, version: str | None = None) -> Any:
    async def main() -> Any:
        with respx.mock(base_url=BASE, assert_all_called=False) as router:
            if version is None:
                router.get("/rest/api/server-information").respond(404, json={"message": "not found"})
            else:
                router.get("/rest/api/server-information").respond(200, json={"version": version})
            async with ConfluenceHTTP(BASE, auth=BearerAuth("pat"), max_attempts=1) as http:
                api = ConfluenceDataCenterAPI(http)
                api.space_keys.remember([Space(id="42", key="ENG", name="", type="", status="")])
                return await scenario(api, router)

    return asyncio.run(main())


def rpc_answer(result: Any) -> httpx.Response:
    return httpx.Response(200, json={"jsonrpc": "2.0", "id": 1, "result": result})


def sets(*entries: tuple[str, str | None, str | None]) -> list[dict[str, Any]]:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for kind, user, group in entries:
        by_type.setdefault(kind, []).append({"type": kind, "userName": user, "groupName": group})
    return [{"type": kind, "spacePermissions": items} for kind, items in by_type.items()]


def pairs(items: list[SpacePermission]) -> set[tuple[str, str, str, str]]:
    return {(i.principal_type, i.principal_id, i.operation, i.target) for i in items}


def test_the_request_is_a_json_rpc_call_without_the_token_argument() -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        route = router.post(RPC).mock(return_value=rpc_answer([]))
        page = await api.space_permissions("42", "")
        return route.calls.last.request, page

    request, page = run(scenario)
    body = json.loads(request.content)
    assert body["jsonrpc"] == "2.0" and body["method"] == "getSpacePermissionSets" and body["params"] == ["ENG"]
    assert "id" in body
    assert request.headers["authorization"] == "Bearer pat"
    assert page.items == [] and page.next_token == ""


def test_users_groups_and_anonymous_map_to_cloud_items() -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        router.get("/rest/api/user/list").respond(200, json={
            "results": [{"type": "known", "username": "ada", "userKey": "key-ada", "displayName": "Ada"}],
            "start": 0, "limit": 100, "size": 1, "_links": {},
        })
        lookup = router.get("/rest/api/user", params={"username": "Bob"}).respond(
            200, json={"type": "known", "username": "bob", "userKey": "key-bob"}
        )
        router.post(RPC).mock(return_value=rpc_answer(sets(
            ("VIEWSPACE", "ada", None),
            ("VIEWSPACE", None, "eng-team"),
            ("VIEWSPACE", None, None),
            ("EDITSPACE", "Bob", None),
            ("SETSPACEPERMISSIONS", None, "confluence-administrators"),
            ("SETPAGEPERMISSIONS", "ada", None),
            ("REMOVEOWNCONTENT", None, "eng-team"),
            ("REMOVEBLOG", None, None),
        )))
        await api.search_users("")  # the user listing teaches ada's key: no lookup for her
        page = await api.space_permissions("42", "")
        again = await api.space_permissions("42", "")  # Bob's key is remembered
        return page, again, lookup.call_count

    page, again, lookups = run(scenario)
    assert pairs(page.items) == {
        ("user", "key-ada", "read", "space"),
        ("group", "eng-team", "read", "space"),
        ("anonymous", "anonymous", "read", "space"),
        ("user", "key-bob", "create", "page"),
        ("group", "confluence-administrators", "administer", "space"),
        ("user", "key-ada", "restrict_content", "space"),
        ("group", "eng-team", "delete", "space"),
        ("anonymous", "anonymous", "delete", "blogpost"),
    }
    assert page.items == again.items
    assert lookups == 1
    ids = {item.id for item in page.items}
    assert len(ids) == len(page.items) and all(i.startswith("dc-permission:") for i in ids)


def test_unknown_types_and_unknown_users_are_skipped_and_counted() -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        router.get("/rest/api/user", params={"username": "ghost"}).respond(404, json={"message": "No user"})
        router.post(RPC).mock(return_value=rpc_answer(sets(
            ("EXPORTPAGE", None, "eng-team"),
            ("ARCHIVEPAGE", None, "eng-team"),
            ("ARCHIVEPAGE", None, "ops"),
            ("VIEWSPACE", "ghost", None),
            ("REMOVEMAIL", None, "eng-team"),  # known, but delete_mail has no slug
            ("COMMENT", None, "ops"),
        )))
        page = await api.space_permissions("42", "")
        return page, api.permission_reader.skipped

    page, skipped = run(scenario)
    assert pairs(page.items) == {("group", "ops", "create", "comment")}
    assert skipped == {"type:EXPORTPAGE": 1, "type:ARCHIVEPAGE": 2, "unknown_user": 1}


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ({"code": -32603, "message": "com.atlassian.confluence.rpc.NotPermittedException: not allowed"},
         grpc.StatusCode.PERMISSION_DENIED),
        ({"code": -32603, "message": "com.atlassian.confluence.rpc.RemoteException: No space found for space key"},
         grpc.StatusCode.NOT_FOUND),
        ({"code": -32601, "message": "No such method: getSpacePermissionSets"}, grpc.StatusCode.UNKNOWN),
    ],
)
def test_a_json_rpc_error_object_is_a_clear_connector_error(error: dict[str, Any], code: grpc.StatusCode) -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        router.post(RPC).respond(200, json={"jsonrpc": "2.0", "id": 1, "error": error})
        await api.space_permissions("42", "")

    with pytest.raises(ConnectorError) as caught:
        run(scenario)
    assert caught.value.code == code
    assert "getSpacePermissionSets" in caught.value.message and error["message"] in caught.value.message
    assert str(error["code"]) in caught.value.message


def test_a_json_rpc_error_with_an_error_status_keeps_its_message() -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        router.post(RPC).respond(500, json={"jsonrpc": "2.0", "id": 1, "error": {"code": -32603, "message": "boom"}})
        await api.space_permissions("42", "")

    with pytest.raises(ConnectorError) as caught:
        run(scenario)
    assert "boom" in caught.value.message and "500" in caught.value.message


def test_an_answer_without_an_envelope_is_an_error() -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        router.post(RPC).respond(200, json=[{"type": "VIEWSPACE"}])
        await api.space_permissions("42", "")

    with pytest.raises(ConnectorError, match="without a JSON-RPC envelope"):
        run(scenario)


@pytest.mark.parametrize("status", [403, 404])
def test_the_remote_api_turned_off_is_a_failed_precondition_with_the_fix(status: int) -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        router.post(RPC).respond(status, text="Remote API disabled")
        await api.space_permissions("42", "")

    with pytest.raises(ConnectorError) as caught:
        run(scenario)
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
    message = caught.value.message
    assert f"answered {status}" in message and "older than 9.1" in message
    assert "Remote API (XML-RPC & SOAP)" in message and "9.1 or later" in message


def test_a_401_from_the_remote_api_suggests_username_and_password() -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        router.post(RPC).respond(401, json={"message": "Unauthorized"})
        await api.space_permissions("42", "")

    with pytest.raises(ConnectorError) as caught:
        run(scenario)
    assert caught.value.code == grpc.StatusCode.UNAUTHENTICATED
    assert "--username and --password" in caught.value.message


def test_from_9_1_rest_is_used_and_the_remote_api_is_not_called() -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        rpc = router.post(RPC).respond(403)
        router.get("/rest/api/space/ENG/permissions").respond(200, json=[
            {"operation": {"targetType": "space", "operationKey": "read"}, "subject": {"type": "group", "name": "g"}},
        ])
        page = await api.space_permissions("42", "")
        return page, rpc.call_count, await api.permission_reader.api()

    page, rpc_calls, chosen = run(scenario, version="9.2.1")
    assert pairs(page.items) == {("group", "g", "read", "space")} and rpc_calls == 0 and chosen == "rest"


def test_a_rest_404_before_any_rest_answer_switches_to_the_remote_api_for_good() -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        rest = router.get("/rest/api/space/ENG/permissions").respond(404, json={"message": "null for uri"})
        router.post(RPC).mock(return_value=rpc_answer(sets(("VIEWSPACE", None, "g"))))
        first = await api.space_permissions("42", "")
        second = await api.space_permissions("42", "")
        return first, second, rest.call_count, await api.permission_reader.api()

    first, second, rest_calls, chosen = run(scenario, version="9.1.0")
    assert pairs(first.items) == pairs(second.items) == {("group", "g", "read", "space")}
    assert rest_calls == 1 and chosen == "json-rpc"


def test_a_rest_404_after_rest_answered_is_passed_on() -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        api.space_keys.remember([Space(id="43", key="GONE", name="", type="", status="")])
        router.get("/rest/api/space/ENG/permissions").respond(200, json=[])
        router.get("/rest/api/space/GONE/permissions").respond(404, json={"message": "No space with key : GONE"})
        rpc = router.post(RPC).respond(200, json={"jsonrpc": "2.0", "id": 1, "result": []})
        await api.space_permissions("42", "")
        try:
            await api.space_permissions("43", "")
        finally:
            assert rpc.call_count == 0

    with pytest.raises(ConnectorError) as caught:
        run(scenario, version="9.2.1")
    assert caught.value.code == grpc.StatusCode.NOT_FOUND


def test_validate_asks_get_server_info_and_reads_403_as_off() -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        route = router.post(RPC).respond(403)
        problem = await api.permissions_unavailable()
        return problem, json.loads(route.calls.last.request.content)

    problem, body = run(scenario)
    assert body["method"] == "getServerInfo" and body["params"] == []
    assert problem.startswith("space permissions cannot be read: ") and "answered 403" in problem


def test_validate_passes_when_the_remote_api_answers() -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        router.post(RPC).mock(return_value=rpc_answer({"majorVersion": 8, "minorVersion": 5, "patchLevel": 4}))
        return await api.permissions_unavailable()

    assert run(scenario) == ""


@pytest.mark.parametrize(
    ("status", "legs"),
    [(None, ["current", "archived"]), ("current", ["current"]), ("archived", ["archived"])],
)
def test_spaces_are_listed_one_status_at_a_time(status: str | None, legs: list[str]) -> None:
    async def scenario(api: ConfluenceDataCenterAPI, router: respx.Router) -> Any:
        def answer(request: httpx.Request) -> httpx.Response:
            asked = request.url.params.get("status")
            start = int(request.url.params.get("start", "0"))
            # two pages per status: the second page is reached through _links.next
            more = {"next": f"/rest/api/space?status={asked}&start=1&limit=1"} if start == 0 else {}
            item = {"id": 100 + start + (10 if asked == "archived" else 0), "key": f"{asked[0].upper()}{start}",
                    "type": "global", "status": asked}
            # the second page is short against the limit it echoes: the last of its status
            limit = 1 if start == 0 else 25
            return httpx.Response(
                200, json={"results": [item], "start": start, "limit": limit, "size": 1, "_links": more}
            )

        route = router.get("/rest/api/space").mock(side_effect=answer)
        token, seen = "", []
        while True:
            page = await api.list_spaces(token, status=status)
            seen += [item.status for item in page.items]
            token = page.next_token
            if not token:
                break
        return seen, [call.request.url.params.get("status") for call in route.calls]

    seen, asked = run(scenario)
    assert asked == [leg for leg in legs for _ in range(2)]
    assert seen == asked
