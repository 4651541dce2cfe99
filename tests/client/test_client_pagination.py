"""Page tokens: v1 offsets from `_links.next`, v2 cursors from `_links.next` or the Link header."""

from __future__ import annotations

import grpc
import httpx
import pytest

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client.pagination import link_header_next, v1_page, v1_start, v2_page

NO_HEADERS = httpx.Headers()


def v1_body(count: int, next_link: str | None = None, size: int | None = None) -> dict[str, object]:
    links: dict[str, str] = {"base": "https://example.atlassian.net/wiki", "context": "/wiki"}
    if next_link is not None:
        links["next"] = next_link
    return {
        "results": [{"id": str(n)} for n in range(count)],
        "start": 0,
        "limit": 200,
        "size": count if size is None else size,
        "_links": links,
    }


def test_v1_next_start_comes_from_the_link() -> None:
    page = v1_page(v1_body(200, "/rest/api/group?next=true&limit=200&start=400"), start=200)
    assert page.next_token == "400"
    assert len(page.items) == 200


def test_v1_without_next_link_is_the_last_page_even_when_full() -> None:
    assert v1_page(v1_body(200), start=0).next_token == ""


def test_v1_short_page_with_next_link_is_not_the_end() -> None:
    # The site capped `limit` below what was asked: a short page, but more to come.
    page = v1_page(v1_body(50, "/rest/api/search/user?cql=type%3Duser&start=50&limit=50"), start=0)
    assert page.next_token == "50"


def test_v1_next_link_without_start_falls_back_to_start_plus_size() -> None:
    assert v1_page(v1_body(25, "/rest/api/group?cursor=abc"), start=100).next_token == "125"


def test_v1_next_link_on_an_empty_page_stops_instead_of_looping() -> None:
    assert v1_page(v1_body(0, "/rest/api/group?start=300"), start=300).next_token == ""


def test_v1_tokens() -> None:
    assert v1_start("") == 0
    assert v1_start("600") == 600
    with pytest.raises(ConnectorError) as caught:
        v1_start("abc")
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT


def test_v2_cursor_from_body_link() -> None:
    body = {"results": [{"id": "1"}], "_links": {"next": "/wiki/api/v2/spaces?cursor=eyJpZCI6MX0%3D&limit=250"}}
    page = v2_page(body, NO_HEADERS, cursor="")
    assert page.next_token == "eyJpZCI6MX0="
    assert page.items == [{"id": "1"}]


def test_v2_cursor_keeps_a_literal_plus() -> None:
    body = {"results": [], "_links": {"next": "/wiki/api/v2/spaces?limit=250&cursor=ab+cd/ef"}}
    assert v2_page(body, NO_HEADERS, cursor="x").next_token == "ab+cd/ef"


def test_v2_falls_back_to_the_link_header() -> None:
    headers = httpx.Headers(
        {
            "Link": '</wiki/api/v2/spaces/1/permissions?cursor=NEXT123&limit=250>; rel="next", '
            '<https://example.atlassian.net/wiki>; rel="base"'
        }
    )
    page = v2_page({"results": [{"id": "p"}]}, headers, cursor="PREV")
    assert page.next_token == "NEXT123"


def test_v2_last_page() -> None:
    headers = httpx.Headers({"Link": '<https://example.atlassian.net/wiki>; rel="base"'})
    assert v2_page({"results": [], "_links": {}}, headers, cursor="C").next_token == ""


def test_v2_repeated_cursor_stops() -> None:
    body = {"results": [], "_links": {"next": "/wiki/api/v2/spaces?cursor=SAME"}}
    assert v2_page(body, NO_HEADERS, cursor="SAME").next_token == ""


def test_link_header_parsing() -> None:
    assert link_header_next('<a?cursor=1>; rel="prev", <b?cursor=2>; rel="next"') == "b?cursor=2"
    assert link_header_next("<c>; rel=next") == "c"
    assert link_header_next('<d>; rel="prev next"') == "d"
    assert link_header_next("") == ""
    assert link_header_next("garbage") == ""


def test_unexpected_bodies_give_an_empty_last_page() -> None:
    assert v1_page(None, start=0).items == []
    assert v2_page(["not", "a", "dict"], NO_HEADERS, cursor="").next_token == ""
    assert v1_page({"results": ["x", {"id": "1"}]}, start=0).items == [{"id": "1"}]
