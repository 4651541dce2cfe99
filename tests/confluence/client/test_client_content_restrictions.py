"""Content restrictions over v1 (client/content_restrictions.py), request by request with respx:
the listing's query, truncated inline lists by each plausible signal, groups without an id, the
byOperation window, writes, and 410 Gone."""

from __future__ import annotations

from typing import Any

import pytest
import respx

from baton_confluence.confluence.client import ConfluenceCloudAPI
from baton_confluence.confluence.client.capability_content_restrictions import (
    ContentRestrictionsAPI,
    ContentRestrictionWritesAPI,
    ContentType,
    RestrictionOperation,
    RestrictionSubject,
    SubjectType,
)
from baton_confluence.confluence.client.content_restrictions import CONTENT_EXPAND
from baton_confluence.confluence.client.errors import EndpointGone
from tests.confluence.client import test_client_api

CONTENT = "/wiki/rest/api/content"
run = test_client_api.run  # the same fixture: respx on a real client


def users(*ids: str, **extra: Any) -> dict[str, Any]:
    return {"results": [{"type": "known", "accountId": i} for i in ids], "start": 0, "size": len(ids), **extra}


def groups(*ids: str | None, **extra: Any) -> dict[str, Any]:
    items = [{"type": "group", "name": f"n-{i}", **({"id": i} if i else {})} for i in ids]
    return {"results": items, "start": 0, "size": len(ids), **extra}


def item(content_id: str, read: tuple[Any, Any] | None = None, update: tuple[Any, Any] | None = None,
         ancestors: tuple[str, ...] = ()) -> dict[str, Any]:
    restrictions = {}
    for op, lists in (("read", read), ("update", update)):
        u, g = lists or (users(limit=100), groups(limit=100))
        restrictions[op] = {"operation": op, "restrictions": {"user": u, "group": g}, "_links": {}, "_expandable": {}}
    return {"id": content_id, "type": "page", "title": f"T{content_id}",
            "ancestors": [{"id": a} for a in ancestors], "restrictions": restrictions}


def test_the_listing_asks_for_the_restrictions_inline_and_pages_by_offset(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> Any:
        route = router.get(CONTENT).respond(200, json={
            "results": [item("1"), item("2", read=(users("a", limit=100), groups("g", limit=100)), ancestors=("9", "1"))],
            "start": 50, "limit": 2, "size": 2, "_links": {"next": "https://elsewhere.example/next"},
        })
        page = await api.content_page("ENG", ContentType.BLOGPOST, "50")
        return page, dict(route.calls.last.request.url.params)

    page, params = run(scenario)
    assert params == {
        "spaceKey": "ENG", "type": "blogpost", "status": "current", "start": "50", "limit": "50",
        "expand": CONTENT_EXPAND,
    }
    assert page.next_token == "52"  # from the offset and the items received, never the link's host
    assert [i.restricted for i in page.items] == [False, True]
    second = page.items[1]
    assert second.ancestor_ids == ("9", "1") and second.read.complete
    assert second.read.subjects == (RestrictionSubject(SubjectType.USER, "a"), RestrictionSubject(SubjectType.GROUP, "g"))


@pytest.mark.parametrize(
    ("array", "truncated"),
    [
        (users("a", "b", limit=2), True),  # as full as the limit it echoes
        (users("a", "b", limit=3), False),
        (users("a", limit=25, _links={"next": "/rest/api/content/1/restriction/byOperation/read?start=1"}), True),
        (users(*[f"u{i}" for i in range(100)]), True),  # no limit echoed: 100 is taken as full
        (users("a", "b"), False),
    ],
    ids=["full-page", "short-page", "next-link", "no-limit-long", "no-limit-short"],
)
def test_truncated_inline_lists_are_recognised(run: Any, array: dict[str, Any], truncated: bool) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> Any:
        router.get(CONTENT).respond(200, json={"results": [item("1", read=(array, groups(limit=5)))], "start": 0,
                                               "limit": 50, "size": 1, "_links": {}})
        return (await api.content_page("ENG", ContentType.PAGE, "")).items[0]

    assert run(scenario).read.complete is not truncated


def test_restriction_subjects_page_users_and_groups_with_one_start(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> Any:
        path = f"{CONTENT}/7/restriction/byOperation/update"
        route = router.get(path).mock(side_effect=[
            respx.MockResponse(200, json={"operation": "update", "restrictions": {
                "user": users("a", "b", limit=2), "group": groups("g1", None, limit=2)}}),
            respx.MockResponse(200, json={"operation": "update", "restrictions": {
                "user": users(limit=2), "group": groups("g2", limit=2)}}),
        ])
        found = await api.restriction_subjects("7", RestrictionOperation.UPDATE)
        return found, [dict(c.request.url.params)["start"] for c in route.calls]

    found, starts = run(scenario)
    assert starts == ["0", "2"]
    assert [s.id for s in found.subjects] == ["a", "b", "g1", "g2"] and found.complete
    assert found.groups_without_id == 1  # counted, never guessed


def test_writes_name_the_principal_by_id(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> Any:
        put = router.put(f"{CONTENT}/7/restriction/byOperation/read/user").respond(200)
        delete = router.delete(f"{CONTENT}/7/restriction/byOperation/update/byGroupId/g%2F1").respond(200)
        await api.add_restriction_subject("7", RestrictionOperation.READ, RestrictionSubject(SubjectType.USER, "557058:x"))
        await api.remove_restriction_subject("7", RestrictionOperation.UPDATE, RestrictionSubject(SubjectType.GROUP, "g/1"))
        return dict(put.calls.last.request.url.params), delete.called

    params, deleted = run(scenario)
    assert params == {"accountId": "557058:x"} and deleted


def test_gone_is_its_own_error(run: Any) -> None:
    async def scenario(api: ConfluenceCloudAPI, router: respx.Router) -> Any:
        router.get(CONTENT).respond(410, json={"statusCode": 410, "message": "removed"})
        with pytest.raises(EndpointGone) as caught:
            await api.content_page("ENG", ContentType.PAGE, "")
        return caught.value

    assert "HTTP 410" in run(scenario).message


def test_both_products_read_and_only_cloud_writes(make_http: Any) -> None:
    from baton_confluence.confluence.datacenter.api import ConfluenceDataCenterAPI

    cloud, dc = ConfluenceCloudAPI(make_http()), ConfluenceDataCenterAPI(make_http())
    assert isinstance(cloud, ContentRestrictionsAPI) and isinstance(cloud, ContentRestrictionWritesAPI)
    assert isinstance(dc, ContentRestrictionsAPI) and not isinstance(dc, ContentRestrictionWritesAPI)
