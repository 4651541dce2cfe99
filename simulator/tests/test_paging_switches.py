"""`PagingSpec`: each switch changes v1 bodies as documented, on every v1 listing, and only there."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from confluence_simulator import ALL_V1_LISTINGS, PagingSpec, SimulatedSite, SiteSpec
from confluence_simulator import paging_spec as listings
from confluence_simulator.dc_routes import datacenter_flavor
from confluence_simulator.state import SiteState

PAT = "paging-pat"
BASE = SiteSpec(seed=3, users=30, groups=12, spaces=12, members_per_group=6, personal_access_token=PAT)


@dataclass(frozen=True)
class Listing:
    name: str
    path: str  # below the site's URL (context path included)
    params: dict[str, str]

    def total(self, state: SiteState) -> int:
        """How many items the listing holds, from the site's state."""
        return _TOTALS[self.name](state)


def _admin_groups(state: SiteState) -> int:
    return len(state.groups_of(state.admin_account_id))


def _humans(state: SiteState) -> int:
    return sum(1 for u in state.users.values() if u.account_type == "atlassian")


def _biggest(state: SiteState) -> Any:
    return max(state.groups.values(), key=lambda g: len(g.members))


_TOTALS: dict[str, Any] = {
    listings.SEARCH_USER: lambda state: len(state.search_all),
    listings.GROUP: lambda state: len(state.groups),
    listings.GROUP_MEMBERS: lambda state: len(_biggest(state).members),
    listings.USER_MEMBEROF: _admin_groups,
    listings.DC_USERS: _humans,
    listings.DC_GROUPS: lambda state: len(state.groups),
    listings.DC_GROUP_MEMBERS: lambda state: sum(1 for m in _biggest(state).members if state.users[m].account_type
                                                 == "atlassian"),
    listings.DC_SPACES: lambda state: sum(1 for s in state.spaces.values() if not s.hidden),
}


def cloud_listings(state: SiteState) -> list[Listing]:
    big = _biggest(state)
    return [
        Listing(listings.SEARCH_USER, "/wiki/rest/api/search/user", {"cql": "type=user", "sitePermissionTypeFilter": "all"}),
        Listing(listings.GROUP, "/wiki/rest/api/group", {}),
        Listing(listings.GROUP_MEMBERS, f"/wiki/rest/api/group/{big.id}/membersByGroupId", {}),
        Listing(listings.USER_MEMBEROF, "/wiki/rest/api/user/memberof", {"accountId": state.admin_account_id}),
    ]


def dc_listings(state: SiteState) -> list[Listing]:
    big = _biggest(state)
    return [
        Listing(listings.DC_USERS, "/confluence/rest/api/user/list", {}),
        Listing(listings.DC_GROUPS, "/confluence/rest/api/group", {}),
        Listing(listings.DC_GROUP_MEMBERS, f"/confluence/rest/api/group/{big.name}/member", {}),
        Listing(listings.DC_SPACES, "/confluence/rest/api/space", {}),
    ]


def open_site(paging: PagingSpec, flavor: str) -> SimulatedSite:
    spec = replace(BASE, paging=paging)
    return SimulatedSite(spec, flavor=datacenter_flavor()) if flavor == "dc" else SimulatedSite(spec)


def client_for(site: SimulatedSite, flavor: str) -> httpx.Client:
    if flavor == "dc":
        return httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {PAT}"}, timeout=10)
    return httpx.Client(base_url=site.url, auth=(site.spec.username, site.spec.api_token), timeout=10)


@pytest.fixture(params=["cloud", "dc"])
def flavor(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


def listings_of(site: SimulatedSite, flavor: str) -> list[Listing]:
    return dc_listings(site.state) if flavor == "dc" else cloud_listings(site.state)


@pytest.fixture
def sites() -> Iterator[list[SimulatedSite]]:
    """Sites a test opens; each is closed, and checked for handler crashes, at the end."""
    opened: list[SimulatedSite] = []
    yield opened
    for site in opened:
        site.stop()
        assert site.internal_errors == []


def start(sites: list[SimulatedSite], paging: PagingSpec, flavor: str) -> SimulatedSite:
    site = open_site(paging, flavor)
    site.start()
    sites.append(site)
    return site


def first_page(client: httpx.Client, listing: Listing, limit: int, start: int = 0) -> dict[str, Any]:
    response = client.get(listing.path, params={**listing.params, "start": start, "limit": limit})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def link_start(body: dict[str, Any]) -> int:
    query = parse_qs(urlsplit(body["_links"]["next"]).query)
    return int(query["start"][0])


def test_listing_names_cover_both_products() -> None:
    assert listings.CLOUD_V1_LISTINGS | listings.DC_V1_LISTINGS == ALL_V1_LISTINGS
    assert PagingSpec().next_links == ALL_V1_LISTINGS
    with pytest.raises(ValueError, match="unknown v1 listings"):
        PagingSpec(next_links=frozenset({"nope"}))
    with pytest.raises(ValueError, match="page_cap"):
        PagingSpec(page_cap=0)


def test_defaults_link_echo_and_serve_what_was_asked(sites: list[SimulatedSite], flavor: str) -> None:
    site = start(sites, PagingSpec(), flavor)
    with client_for(site, flavor) as client:
        for listing in listings_of(site, flavor):
            assert listing.total(site.state) > 3, listing.name  # the site is big enough to page
            body = first_page(client, listing, 3)
            assert (body["limit"], body["size"], len(body["results"])) == (3, 3, 3), listing.name
            assert link_start(body) == 3, listing.name
            keys = list(body)  # the envelope as before the switches existed, in the same order
            assert keys[:4] == ["results", "start", "limit", "size"] and keys[-1] == "_links", listing.name


def test_next_links_only_on_the_listings_named(sites: list[SimulatedSite], flavor: str) -> None:
    site = start(sites, PagingSpec(next_links=frozenset({listings.GROUP, listings.DC_SPACES})), flavor)
    with client_for(site, flavor) as client:
        for listing in listings_of(site, flavor):
            body = first_page(client, listing, 3)
            assert len(body["results"]) == 3
            assert ("next" in body["_links"]) is (listing.name in {listings.GROUP, listings.DC_SPACES}), listing.name


@pytest.mark.parametrize("echo", [True, False])
def test_page_cap_serves_fewer_than_asked(sites: list[SimulatedSite], flavor: str, echo: bool) -> None:
    site = start(sites, PagingSpec(page_cap=2, echo_limit=echo), flavor)
    with client_for(site, flavor) as client:
        for listing in listings_of(site, flavor):
            body = first_page(client, listing, 3)
            assert len(body["results"]) == 2 and body["size"] == 2, listing.name
            assert body.get("limit") == (2 if echo else None), listing.name
            assert link_start(body) == 2, listing.name  # the default link counts what was served


def test_dc_next_advances_by_the_asked_limit(sites: list[SimulatedSite], flavor: str) -> None:
    site = start(sites, PagingSpec(page_cap=2, dc_next_advances_by_asked=True), flavor)
    with client_for(site, flavor) as client:
        for listing in listings_of(site, flavor):
            body = first_page(client, listing, 3, start=1)
            assert len(body["results"]) == 2, listing.name
            # Data Center skips the item the cap held back; Cloud listings are not affected.
            assert link_start(body) == (4 if flavor == "dc" else 3), listing.name


def test_wrong_total_size_corrupts_the_bodies_that_carry_one(sites: list[SimulatedSite]) -> None:
    honest = start(sites, PagingSpec(), "cloud")
    lying = start(sites, PagingSpec(wrong_total_size=True), "cloud")
    for site, liar in ((honest, False), (lying, True)):
        search, _, members, memberof = cloud_listings(site.state)
        with client_for(site, "cloud") as client:
            found = first_page(client, search, 4)
            counted = client.get(members.path, params={"shouldReturnTotalSize": "true", "limit": 4}).json()
            plain = first_page(client, memberof, 4)
        # Cloud's search reports the page size (FACTS.md); the switch reports half the total instead.
        assert found["totalSize"] == (search.total(site.state) // 2 if liar else 4)
        assert counted["totalSize"] == (members.total(site.state) // 2 if liar else members.total(site.state))
        assert "totalSize" not in plain  # nothing to corrupt: none is added


def test_v2_cursor_paging_ignores_the_switches(sites: list[SimulatedSite]) -> None:
    paging = PagingSpec(next_links=frozenset(), page_cap=2, echo_limit=False)
    default, switched = start(sites, PagingSpec(), "cloud"), start(sites, paging, "cloud")
    bodies = []
    for site in (default, switched):
        with client_for(site, "cloud") as client:
            response = client.get("/wiki/api/v2/spaces", params={"limit": 3})
            bodies.append((len(response.json()["results"]), "next" in response.json()["_links"]))
    assert bodies[0] == bodies[1] == (3, True)
