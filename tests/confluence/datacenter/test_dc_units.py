"""Data Center pieces on their own: the adapter's coverage, JSON mapping, versions, detection, paging."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import httpx
import pytest
import respx

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence import builder
from baton_confluence.confluence.client import (
    BasicAuth,
    BearerAuth,
    ConfluenceAPI,
    ConfluenceCloudAPI,
    ConfluenceHTTP,
    Deployment,
    Group,
    ListingPage,
    SiteProbes,
    Space,
    SpaceRolesAPI,
)
from baton_confluence.confluence.client.api import USER_SEARCH_CEILING
from baton_confluence.confluence.client.ratelimit import RateLimitHeaders
from baton_confluence.confluence.datacenter import ConfluenceDataCenterAPI, dc_catalog, shapes
from baton_confluence.confluence.datacenter.api import DC_PAGE_SIZE
from baton_confluence.confluence.datacenter.version import Features, parse_version
from baton_confluence.confluence.settings import ConfluenceSettings, SettingsError


def test_both_products_implement_one_contract_and_neither_inherits_the_other() -> None:
    """An inherited Cloud method would send a Cloud path to a DC site: each product implements
    every method of the core contract and of the capabilities it has itself; space roles are
    Cloud's alone, and Data Center simply lacks them."""
    assert not issubclass(ConfluenceDataCenterAPI, ConfluenceCloudAPI)
    assert not issubclass(ConfluenceCloudAPI, ConfluenceDataCenterAPI)
    shared = (ConfluenceAPI, SiteProbes)
    methods = [name for protocol in shared for name, member in vars(protocol).items() if inspect.isfunction(member)]
    assert "space_permissions" in methods and "probe_admin" in methods and "requests_sent" in methods
    for name in methods:
        if name.startswith("_"):
            continue
        assert "datacenter" in getattr(ConfluenceDataCenterAPI, name).__module__, name
        assert "datacenter" not in getattr(ConfluenceCloudAPI, name).__module__, name
    assert (ConfluenceCloudAPI.deployment, ConfluenceDataCenterAPI.deployment) == (
        Deployment.CLOUD,
        Deployment.DATACENTER,
    )
    assert issubclass(ConfluenceCloudAPI, SpaceRolesAPI) and issubclass(ConfluenceCloudAPI, SiteProbes)
    assert not issubclass(ConfluenceDataCenterAPI, SpaceRolesAPI) and issubclass(ConfluenceDataCenterAPI, SiteProbes)


@pytest.mark.parametrize(
    ("raw", "active"),
    [
        ({}, True),
        ({"status": "active"}, True),
        ({"status": "Deactivated"}, False),
        ({"status": "DISABLED"}, False),
        ({"status": {"value": "deactivated"}}, False),
        ({"active": False}, False),
    ],
)
def test_user_status_spellings(raw: dict[str, Any], active: bool) -> None:
    user = shapes.user({"type": "known", "userKey": "k1", "username": "ada", "displayName": "Ada"} | raw)
    assert user is not None
    assert (user.id, user.username, user.type) == ("k1", "ada", "atlassian")
    assert user.active is active


def test_anonymous_and_keyless_users_are_dropped() -> None:
    assert shapes.user({"type": "anonymous", "userKey": "k"}) is None
    assert shapes.user({"type": "known", "username": "ada"}) is None


def test_group_id_is_its_name_and_space_id_its_number() -> None:
    assert shapes.group({"type": "group", "name": "eng / ops"}) == Group(id="eng / ops", name="eng / ops", type="group")
    assert shapes.space({"id": 98307, "key": "ENG", "name": "Eng", "type": "global", "status": "current"}) == Space(
        id="98307", key="ENG", name="Eng", type="global", status="current"
    )


def test_permission_mapping_and_synthetic_id_round_trip() -> None:
    raw = {
        "operation": {"targetType": "space", "operationKey": "restrict"},
        "subject": {"type": "group", "name": "a:b/c d"},
        "spaceKey": "ENG",
        "spaceId": 1,
    }
    item = shapes.permission(raw)
    assert item is not None
    assert (item.principal_type, item.principal_id) == ("group", "a:b/c d")
    assert (item.operation, item.target) == ("restrict_content", "space")
    assert shapes.parse_permission_id(item.id) == ("group", "a:b/c d", "space", "restrict")
    user = shapes.permission(
        {
            "operation": {"targetType": "space", "operationKey": "delete_own"},
            "subject": {"type": "user", "userKey": "4028"},
        }
    )
    assert user is not None and (user.operation, user.target) == ("delete", "space")
    mail = {
        "operation": {"targetType": "space", "operationKey": "delete_mail"},
        "subject": {"type": "user", "userKey": "k"},
    }
    assert shapes.permission(mail) is None  # no Cloud slug: not synced
    assert shapes.parse_permission_id("12345") is None


def test_dc_catalog_keeps_cloud_slugs_of_pairs_dc_has() -> None:
    slugs = {p.slug for p in dc_catalog()}
    assert "archive-page" not in slugs and "read-space" in slugs and "delete-space" in slugs
    assert len(slugs) == 13
    with pytest.raises(ConnectorError) as caught:
        dc_catalog(nouns=("whiteboard",))
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT


def test_versions() -> None:
    assert parse_version("9.2.1") == (9, 2, 1) and parse_version("10.0.0-m12") == (10, 0, 0)
    assert Features("9.1.0", (9, 1, 0)).space_permissions
    assert not Features("9.0.3", (9, 0, 3)).space_permissions
    assert "9.0.3" in Features("9.0.3", (9, 0, 3)).permissions_unavailable()
    assert "older than 9.1" in Features("").permissions_unavailable()


def test_dc_rate_limit_headers() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    headers = httpx.Headers(
        {
            "X-RateLimit-Limit": "20",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Interval-Seconds": "2",
            "X-RateLimit-FillRate": "10",
            "retry-after": "2",
        }
    )
    parsed = RateLimitHeaders.parse(headers, now)
    assert parsed.interval_seconds == 2 and parsed.fill_rate == 10
    assert parsed.reset_at == now + timedelta(seconds=2) and parsed.wait_seconds(now) == 2
    assert parsed.nearly_exhausted


def settings(**values: Any) -> ConfluenceSettings:
    return ConfluenceSettings(**values)


@pytest.mark.parametrize(
    ("values", "deployment"),
    [
        ({"domain_url": "https://x.atlassian.net", "api_key": "t"}, "cloud"),
        ({"domain_url": "https://x.atlassian.net/wiki", "api_key": "t"}, "cloud"),
        ({"domain_url": "https://conf.example.com/confluence", "personal_access_token": "p"}, "datacenter"),
        ({"domain_url": "https://conf.example.com/wiki", "password": "p"}, "datacenter"),
        ({"domain_url": "https://conf.example.com", "api_key": "t"}, "cloud"),
        ({"domain_url": "https://x.atlassian.net", "deployment": "server"}, "datacenter"),
        ({"domain_url": "https://conf.example.com", "personal_access_token": "p", "deployment": "Cloud"}, "cloud"),
    ],
)
def test_deployment_detection(values: dict[str, Any], deployment: str) -> None:
    assert builder.deployment_of(settings(**values), values["domain_url"]) == deployment


def test_cloud_url_loses_its_wiki_suffix() -> None:
    assert builder.cloud_site_url("https://x.atlassian.net/wiki/") == "https://x.atlassian.net"


def test_auth_kinds() -> None:
    pat = builder.datacenter_auth(settings(personal_access_token="p", username="u", password="pw"))
    assert isinstance(pat, BearerAuth)  # the token wins
    basic = builder.datacenter_auth(settings(username="u", password="pw"))
    assert isinstance(basic, BasicAuth) and basic.hint == "check --username/--password"
    with pytest.raises(SettingsError, match="--personal-access-token"):
        builder.datacenter_auth(settings(username="u"))
    with pytest.raises(SettingsError, match="--api-key is for Confluence Cloud"):
        builder.datacenter_auth(settings(username="u", api_key="t"))
    with pytest.raises(SettingsError, match="Data Center"):
        builder.cloud_auth(settings(personal_access_token="p"))


def test_unknown_deployment_and_rbac_on_dc_are_usage_errors() -> None:
    with pytest.raises(SettingsError, match="--deployment"):
        builder.deployment_of(settings(deployment="onprem"), "https://h")
    with pytest.raises(SettingsError, match="--use-rbac"):
        builder.build_connector(settings(domain_url="https://h/c", personal_access_token="p", use_rbac=True))


# --- v1 pagination: every DC listing applies client/pagination.py's rule (respx) --------------

DC_BASE = "https://conf.example.com/confluence"


@dataclass(frozen=True)
class DcListing:
    name: str
    path: str  # below DC_BASE
    fetch: Callable[[ConfluenceDataCenterAPI, str], Awaitable[ListingPage]]
    item: Callable[[int], dict[str, Any]]  # the raw DC JSON of the n-th item


def _dc_user(n: int) -> dict[str, Any]:
    return {"type": "known", "userKey": f"{n:032x}", "username": f"user{n}", "displayName": f"User {n}"}


async def _current_spaces(dc: Any, token: str) -> Any:
    """The `current` leg of the space listing with its offset tokens as the other listings have
    them (the listing's own tokens are `<status>:<offset>`, see test_dc_remote_api.py)."""
    page = await dc.list_spaces(f"current:{token}", status="current")
    return replace(page, next_token=page.next_token.removeprefix("current:"))


DC_LISTINGS = [
    DcListing("dc_users", "/rest/api/user/list", lambda dc, token: dc.search_users(token), _dc_user),
    DcListing(
        "dc_groups",
        "/rest/api/group",
        lambda dc, token: dc.list_groups(token),
        lambda n: {"type": "group", "name": f"group-{n}"},
    ),
    DcListing(
        "dc_group_members",
        "/rest/api/group/eng%20ops/member",
        lambda dc, token: dc.group_members("eng ops", token),
        _dc_user,
    ),
    DcListing(
        "dc_spaces",
        "/rest/api/space",
        lambda dc, token: _current_spaces(dc, token),
        lambda n: {"id": 1000 + n, "key": f"K{n}", "name": f"Space {n}", "type": "global", "status": "current"},
    ),
]


def dc_body(
    listing: DcListing,
    count: int,
    *,
    start: int,
    limit: int | None,
    next_start: int | None = None,
    total_size: int | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"results": [listing.item(start + n) for n in range(count)], "start": start, "size": count}
    if limit is not None:
        body["limit"] = limit
    if total_size is not None:
        body["totalSize"] = total_size
    links = {"base": DC_BASE, "context": "/confluence"}
    if next_start is not None:
        links["next"] = f"{listing.path}?limit={DC_PAGE_SIZE}&start={next_start}"
    body["_links"] = links
    return body


def dc_fetch(listing: DcListing, token: str, body: dict[str, Any]) -> tuple[ListingPage, dict[str, str]]:
    """One page of `listing` at `token`, the site answering `body`; (page, query sent)."""

    async def main() -> tuple[ListingPage, dict[str, str]]:
        async with ConfluenceHTTP(DC_BASE, auth=BearerAuth("pat")) as http:
            with respx.mock(base_url=DC_BASE, assert_all_called=True) as router:
                route = router.get(listing.path).mock(return_value=httpx.Response(200, json=body))
                page = await listing.fetch(ConfluenceDataCenterAPI(http), token)
                return page, dict(route.calls.last.request.url.params)

    return asyncio.run(main())


@pytest.fixture(params=DC_LISTINGS, ids=lambda listing: listing.name)
def dc_listing(request: pytest.FixtureRequest) -> DcListing:
    value: DcListing = request.param
    return value


def test_dc_listing_asks_for_its_start_and_limit(dc_listing: DcListing) -> None:
    page, query = dc_fetch(dc_listing, "300", dc_body(dc_listing, 3, start=300, limit=DC_PAGE_SIZE))
    assert (query["start"], query["limit"]) == ("300", str(DC_PAGE_SIZE))
    assert len(page.items) == 3 and page.next_token == ""


def test_dc_full_page_without_link_continues(dc_listing: DcListing) -> None:
    page, _ = dc_fetch(dc_listing, "300", dc_body(dc_listing, DC_PAGE_SIZE, start=300, limit=DC_PAGE_SIZE))
    assert page.next_token == str(300 + DC_PAGE_SIZE)


def test_dc_short_page_without_link_ends(dc_listing: DcListing) -> None:
    page, _ = dc_fetch(dc_listing, "300", dc_body(dc_listing, DC_PAGE_SIZE - 1, start=300, limit=DC_PAGE_SIZE))
    assert page.next_token == ""


def test_dc_empty_page_with_link_ends(dc_listing: DcListing) -> None:
    page, _ = dc_fetch(dc_listing, "300", dc_body(dc_listing, 0, start=300, limit=DC_PAGE_SIZE, next_start=400))
    assert page == ListingPage([])


def test_dc_capped_page_without_link_continues(dc_listing: DcListing) -> None:
    page, _ = dc_fetch(dc_listing, "300", dc_body(dc_listing, 25, start=300, limit=25))
    assert page.next_token == "325"


def test_dc_without_echoed_limit_uses_the_asked_limit(dc_listing: DcListing) -> None:
    full, _ = dc_fetch(dc_listing, "0", dc_body(dc_listing, DC_PAGE_SIZE, start=0, limit=None))
    short, _ = dc_fetch(dc_listing, "0", dc_body(dc_listing, 25, start=0, limit=None))
    assert (full.next_token, short.next_token) == (str(DC_PAGE_SIZE), "")


def test_dc_link_advanced_by_the_asked_limit_is_not_followed(dc_listing: DcListing) -> None:
    # The site served its cap of 25 but pointed `next` at start + the 100 asked: 75 items skipped.
    body = dc_body(dc_listing, 25, start=300, limit=25, next_start=300 + DC_PAGE_SIZE)
    page, _ = dc_fetch(dc_listing, "300", body)
    assert page.next_token == "325"


def test_dc_total_size_is_ignored(dc_listing: DcListing) -> None:
    full, _ = dc_fetch(dc_listing, "0", dc_body(dc_listing, 25, start=0, limit=25, total_size=25))
    short, _ = dc_fetch(dc_listing, "0", dc_body(dc_listing, 10, start=0, limit=25, total_size=10**6))
    assert (full.next_token, short.next_token) == ("25", "")


def test_dc_items_dropped_by_the_mapping_still_count_for_the_offset() -> None:
    users = DC_LISTINGS[0]
    body = dc_body(users, 25, start=0, limit=25)
    body["results"][0] = {"type": "anonymous"}  # not a user: left out, but the site counted it
    page, _ = dc_fetch(users, "0", body)
    assert len(page.items) == 24 and page.next_token == "25"


def test_dc_user_list_has_no_search_ceiling() -> None:
    users = DC_LISTINGS[0]
    start = USER_SEARCH_CEILING - DC_PAGE_SIZE
    page, _ = dc_fetch(users, str(start), dc_body(users, DC_PAGE_SIZE, start=start, limit=DC_PAGE_SIZE))
    assert not page.ceiling_reached and page.next_token == str(USER_SEARCH_CEILING)
