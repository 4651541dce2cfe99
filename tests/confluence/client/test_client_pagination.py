"""Page tokens: v1 offsets counted from the items received, v2 cursors from `_links.next` or the Link header."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import httpx
import pytest
import respx
from structlog.testing import LogCapture

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import ConfluenceCloudAPI, api
from baton_confluence.confluence.client.pagination import ListingPage, link_header_next, v1_page, v1_start, v2_page
from tests.confluence.client.conftest import MakeHTTP

NO_HEADERS = httpx.Headers()


def v1_body(
    count: int,
    next_link: str | None = None,
    *,
    start: int = 0,
    limit: int | None = 200,
    total_size: int | None = None,
) -> dict[str, object]:
    """A v1 body with `count` results; `limit=None` leaves the echoed limit out."""
    links: dict[str, str] = {"base": "https://example.atlassian.net/wiki", "context": "/wiki"}
    if next_link is not None:
        links["next"] = next_link
    body: dict[str, object] = {"results": [{"id": str(start + n)} for n in range(count)], "start": start, "size": count}
    if limit is not None:
        body["limit"] = limit
    if total_size is not None:
        body["totalSize"] = total_size
    body["_links"] = links
    return body


# --- v1: the rule of `v1_page`, case by case -------------------------------------------------


def test_v1_next_link_on_a_full_page_continues_after_the_items_received() -> None:
    page = v1_page(v1_body(200, "/rest/api/group?limit=200&start=400", start=200), start=200, asked_limit=200)
    assert page.next_token == "400"
    assert len(page.items) == 200


def test_v1_full_page_without_next_link_continues() -> None:
    # Atlassian's schema does not promise `_links.next`; a full page may have more behind it.
    assert v1_page(v1_body(200, start=400), start=400, asked_limit=200).next_token == "600"


def test_v1_short_page_without_next_link_is_the_last() -> None:
    assert v1_page(v1_body(199, start=400), start=400, asked_limit=200).next_token == ""


def test_v1_short_page_with_next_link_is_not_the_end() -> None:
    # The site capped `limit` below what was asked: a short page, but more to come.
    page = v1_page(v1_body(50, "/rest/api/search/user?cql=type%3Duser&start=50&limit=50", limit=50), start=0,
                   asked_limit=200)
    assert page.next_token == "50"


@pytest.mark.parametrize("link", [None, "/rest/api/group?start=300", "/rest/api/group?start=500"])
def test_v1_empty_page_ends_whatever_its_links_say(link: str | None) -> None:
    page = v1_page(v1_body(0, link, start=300, limit=0), start=300, asked_limit=200)
    assert page.next_token == "" and page.items == []


def test_v1_capped_page_without_link_continues_after_the_items_received() -> None:
    # Echoed limit 50 < asked 200, and the page holds 50: full for the site, so read on.
    assert v1_page(v1_body(50, start=100, limit=50), start=100, asked_limit=200).next_token == "150"
    # Short even for the capped limit: the end.
    assert v1_page(v1_body(49, start=100, limit=50), start=100, asked_limit=200).next_token == ""


def test_v1_without_echoed_limit_the_asked_limit_decides() -> None:
    assert v1_page(v1_body(100, start=0, limit=None), start=0, asked_limit=100).next_token == "100"
    assert v1_page(v1_body(99, start=0, limit=None), start=0, asked_limit=100).next_token == ""
    # A nonsense echo (0, or not a number) is no echo.
    assert v1_page(v1_body(100, limit=0), start=0, asked_limit=100).next_token == "100"
    body = v1_body(100) | {"limit": "100"}
    assert v1_page(body, start=0, asked_limit=100).next_token == "100"


def test_v1_link_that_skips_ahead_is_not_followed() -> None:
    # Data Center served 25 (its cap) but advanced its link by the 100 asked.
    body = v1_body(25, "/rest/api/user/list?start=100&limit=100", start=0, limit=25)
    assert v1_page(body, start=0, asked_limit=100).next_token == "25"


def test_v1_link_without_start_continues_after_the_items_received() -> None:
    page = v1_page(v1_body(25, "/rest/api/group?cursor=abc", limit=25), start=100, asked_limit=200)
    assert page.next_token == "125"


@pytest.mark.parametrize("total_size", [0, 1, 50, 10**6])
def test_v1_total_size_is_ignored(total_size: int) -> None:
    full = v1_body(50, start=50, limit=50, total_size=total_size)
    short = v1_body(20, start=50, limit=50, total_size=total_size)
    assert v1_page(full, start=50, asked_limit=50).next_token == "100"
    assert v1_page(short, start=50, asked_limit=50).next_token == ""


def test_v1_size_is_ignored_in_favour_of_the_results() -> None:
    body = v1_body(30, "/rest/api/group?start=80", start=50, limit=30) | {"size": 80}
    assert v1_page(body, start=50, asked_limit=30).next_token == "80"


def test_v1_items_that_are_not_objects_still_count_for_the_offset() -> None:
    body = {"results": ["x", {"id": "1"}], "limit": 2, "_links": {}}
    page = v1_page(body, start=0, asked_limit=2)
    assert page.items == [{"id": "1"}]
    assert page.next_token == "2"


@pytest.mark.parametrize(
    ("start", "count", "link", "ceiling_reached", "next_token"),
    [
        (9600, 200, True, False, "9800"),  # next start 9800 < 10,000: go on
        (9800, 200, True, True, ""),  # next start would be the ceiling
        (9900, 100, False, True, ""),  # a short page that ends at the ceiling: more may exist
        (9900, 50, False, False, ""),  # a short page before the ceiling: the real end
        (10_000, 0, False, True, ""),  # already at the ceiling
    ],
)
def test_v1_ceiling_ends_the_listing_and_says_so(
    start: int, count: int, link: bool, ceiling_reached: bool, next_token: str
) -> None:
    nxt = f"/rest/api/search/user?start={start + count}" if link else None
    page = v1_page(v1_body(count, nxt, start=start), start=start, asked_limit=200, ceiling=10_000)
    assert (page.ceiling_reached, page.next_token) == (ceiling_reached, next_token)


def test_v1_without_ceiling_never_says_it_was_reached() -> None:
    page = v1_page(v1_body(200, start=9800), start=9800, asked_limit=200)
    assert (page.ceiling_reached, page.next_token) == (False, "10000")


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
    assert v1_page(None, start=0, asked_limit=200) == v1_page({}, start=0, asked_limit=200) == ListingPage([])
    assert v1_page({"results": "nope", "_links": {"next": "/x?start=5"}}, start=0, asked_limit=200) == ListingPage([])
    assert v2_page(["not", "a", "dict"], NO_HEADERS, cursor="").next_token == ""


# --- v1: every Cloud listing applies the rule (respx) -----------------------------------------

BASE = "https://example.atlassian.net"


@dataclass(frozen=True)
class CloudListing:
    name: str
    path: str
    asked_limit: int
    fetch: Callable[[ConfluenceCloudAPI, str], Awaitable[ListingPage[Any]]]
    # The listing's JSON object for a numbered item (users are named by `accountId`).
    wrap: Callable[[dict[str, Any]], dict[str, Any]] = lambda item: item


CLOUD_LISTINGS = [
    CloudListing("search_user", "/wiki/rest/api/search/user", api.USER_SEARCH_PAGE_SIZE,
                 lambda client, token: client.search_users(token), lambda item: {"user": {"accountId": item["id"]}}),
    CloudListing("group", "/wiki/rest/api/group", api.GROUPS_PAGE_SIZE,
                 lambda client, token: client.list_groups(token)),
    CloudListing("group_members", "/wiki/rest/api/group/g-1/membersByGroupId", api.GROUP_MEMBERS_PAGE_SIZE,
                 lambda client, token: client.group_members("g-1", token), lambda item: {"accountId": item["id"]}),
    CloudListing("user_memberof", "/wiki/rest/api/user/memberof", api.USER_GROUPS_PAGE_SIZE,
                 lambda client, token: client.groups_of_user("acc-1", token)),
]


def answer(listing: CloudListing, body: dict[str, Any]) -> dict[str, Any]:
    results = body.get("results")
    assert isinstance(results, list)
    return body | {"results": [listing.wrap(item) for item in results]}


def fetch_one(make_http: MakeHTTP, listing: CloudListing, token: str, body: dict[str, Any]) -> tuple[ListingPage, dict[str, str]]:
    """One page of `listing` at `token`, the site answering `body`; (page, query sent)."""

    async def main() -> tuple[ListingPage, dict[str, str]]:
        with respx.mock(base_url=BASE, assert_all_called=True) as router:
            route = router.get(listing.path).mock(return_value=httpx.Response(200, json=answer(listing, body)))
            page = await listing.fetch(ConfluenceCloudAPI(make_http()), token)
            return page, dict(route.calls.last.request.url.params)

    return asyncio.run(main())


@pytest.fixture(params=CLOUD_LISTINGS, ids=lambda listing: listing.name)
def listing(request: pytest.FixtureRequest) -> CloudListing:
    value: CloudListing = request.param
    return value


def test_cloud_listing_asks_for_its_start_and_limit(make_http: MakeHTTP, listing: CloudListing) -> None:
    _, query = fetch_one(make_http, listing, "400", v1_body(3, start=400, limit=listing.asked_limit))
    assert (query["start"], query["limit"]) == ("400", str(listing.asked_limit))


def test_cloud_full_page_without_link_continues(make_http: MakeHTTP, listing: CloudListing) -> None:
    n = listing.asked_limit
    page, _ = fetch_one(make_http, listing, "400", v1_body(n, start=400, limit=n))
    assert page.next_token == str(400 + n) and len(page.items) == n


def test_cloud_short_page_without_link_ends(make_http: MakeHTTP, listing: CloudListing) -> None:
    n = listing.asked_limit
    page, _ = fetch_one(make_http, listing, "400", v1_body(n - 1, start=400, limit=n))
    assert page.next_token == "" and len(page.items) == n - 1


def test_cloud_empty_page_with_link_ends(make_http: MakeHTTP, listing: CloudListing) -> None:
    page, _ = fetch_one(make_http, listing, "400", v1_body(0, "/rest/api/x?start=600", start=400))
    assert page == ListingPage([])


def test_cloud_capped_page_without_link_continues(make_http: MakeHTTP, listing: CloudListing) -> None:
    page, _ = fetch_one(make_http, listing, "400", v1_body(7, start=400, limit=7))
    assert page.next_token == "407"


def test_cloud_without_echoed_limit_uses_the_asked_limit(make_http: MakeHTTP, listing: CloudListing) -> None:
    n = listing.asked_limit
    full, _ = fetch_one(make_http, listing, "0", v1_body(n, limit=None))
    short, _ = fetch_one(make_http, listing, "0", v1_body(7, limit=None))
    assert (full.next_token, short.next_token) == (str(n), "")


def test_cloud_link_that_skips_ahead_is_not_followed(make_http: MakeHTTP, listing: CloudListing) -> None:
    body = v1_body(7, f"/rest/api/x?start={400 + listing.asked_limit}", start=400, limit=7)
    page, _ = fetch_one(make_http, listing, "400", body)
    assert page.next_token == "407"


def test_cloud_total_size_is_ignored(make_http: MakeHTTP, listing: CloudListing) -> None:
    full, _ = fetch_one(make_http, listing, "0", v1_body(7, limit=7, total_size=7))  # "that was all"
    short, _ = fetch_one(make_http, listing, "0", v1_body(3, limit=7, total_size=10**6))  # "much more"
    assert (full.next_token, short.next_token) == ("7", "")


def test_cloud_only_the_user_search_has_a_ceiling(make_http: MakeHTTP, listing: CloudListing) -> None:
    n = listing.asked_limit
    start = api.USER_SEARCH_CEILING - n
    body = v1_body(n, f"/rest/api/x?start={start + n}", start=start, limit=n)
    page, _ = fetch_one(make_http, listing, str(start), body)
    at_ceiling = listing.name == "search_user"
    assert page.ceiling_reached is at_ceiling
    assert page.next_token == ("" if at_ceiling else str(api.USER_SEARCH_CEILING))


def test_search_at_the_ceiling_ends_without_asking_and_warns_once(make_http: MakeHTTP, logs: LogCapture) -> None:
    async def main() -> ListingPage:
        with respx.mock(base_url=BASE, assert_all_called=False) as router:
            route = router.get("/wiki/rest/api/search/user")
            page = await ConfluenceCloudAPI(make_http()).search_users(str(api.USER_SEARCH_CEILING))
            assert not route.called  # the site serves nothing there
            return page

    assert asyncio.run(main()) == ListingPage([], "", ceiling_reached=True)
    assert [e["event"] for e in logs.entries].count("confluence_user_search_ceiling") == 1


def test_search_stopped_by_the_ceiling_warns_once(make_http: MakeHTTP, logs: LogCapture) -> None:
    listing = CLOUD_LISTINGS[0]
    start = api.USER_SEARCH_CEILING - 50
    page, _ = fetch_one(make_http, listing, str(start), v1_body(50, start=start, limit=50))
    assert page.ceiling_reached and page.next_token == "" and len(page.items) == 50
    assert [e["event"] for e in logs.entries].count("confluence_user_search_ceiling") == 1
