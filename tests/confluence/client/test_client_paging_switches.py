"""Every v1 listing, read to its end by the real client, against simulated sites that page differently.

For each `PagingSpec` of a small matrix (next links on or off, pages capped at 25 or 7 with the
capped limit echoed or not, a lying `totalSize`, Data Center's `next` skipping ahead) the client
must list exactly the ids the site holds: same set, same count (no duplicates), every page token
moving forward. Expectations come from the simulator's state, never from the client.

Left out on purpose: a site that caps pages *and* neither links nor echoes its `limit`. A short page
there is indistinguishable from the last one, and the client ends on it (client/pagination.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from confluence_simulator import ALL_V1_LISTINGS, PagingSpec, SimulatedSite, SiteSpec
from confluence_simulator.dc_directory import user_key_of
from confluence_simulator.dc_routes import datacenter_flavor
from confluence_simulator.state import SiteState

from baton_confluence.confluence.client import (
    BasicAuth,
    BearerAuth,
    ConfluenceCloudAPI,
    ConfluenceHTTP,
    ListingPage,
    api,
)
from baton_confluence.confluence.datacenter import ConfluenceDataCenterAPI

PAT = "paging-pat"
SITE = SiteSpec(seed=11, users=60, groups=10, spaces=12, members_per_group=9, personal_access_token=PAT)
NO_LINKS: frozenset[str] = frozenset()

MATRIX = [
    PagingSpec(next_links=links, page_cap=cap, echo_limit=echo)
    for links in (ALL_V1_LISTINGS, NO_LINKS)
    for cap in (None, 25, 7)
    for echo in (True, False)
    if not (links == NO_LINKS and cap is not None and not echo)  # undetectable: see the module docstring
] + [
    PagingSpec(next_links=NO_LINKS, page_cap=7, wrong_total_size=True),
    PagingSpec(page_cap=25, echo_limit=False, wrong_total_size=True),
    PagingSpec(page_cap=25, dc_next_advances_by_asked=True),
    PagingSpec(page_cap=7, echo_limit=False, dc_next_advances_by_asked=True),
    PagingSpec(next_links=NO_LINKS, page_cap=7, dc_next_advances_by_asked=True),
]


def spec_id(paging: PagingSpec) -> str:
    parts = ["links" if paging.next_links else "nolinks", f"cap{paging.page_cap}"]
    parts += [] if paging.echo_limit else ["noecho"]
    parts += ["lyingtotal"] if paging.wrong_total_size else []
    parts += ["dcskip"] if paging.dc_next_advances_by_asked else []
    return "-".join(parts)


# --- reading a listing the way the sync engine does ------------------------------------------


@dataclass
class Listed:
    ids: list[str]
    pages: int
    ceiling_reached: bool


async def drain(fetch: Callable[[str], Awaitable[ListingPage[Any]]], key: str) -> Listed:
    ids: list[str] = []
    token, pages, ceiling = "", 0, False
    while True:
        page = await fetch(token)
        pages += 1
        ids.extend(str(getattr(item, key)) for item in page.items)
        ceiling = ceiling or page.ceiling_reached
        if not page.next_token:
            return Listed(ids, pages, ceiling)
        assert _position(page.next_token) > _position(token), "a page token must move forward"
        token = page.next_token


def _position(token: str) -> tuple[int, int]:
    """Where a token stands: (listing leg, offset). The DC space listing's tokens are
    `<status>:<offset>`, current before archived; every other listing's are plain offsets."""
    leg, _, offset = token.rpartition(":")
    return ({"": 0, "current": 0, "archived": 1}[leg], int(offset or "0"))


def check(listed: Listed, expected: list[str], what: str) -> None:
    assert sorted(listed.ids) == sorted(expected), what  # the same set, and the same count
    assert len(listed.ids) == len(expected), what


def pages_needed(ids: list[str], cap: int) -> int:
    return -(-len(ids) // cap)


@pytest.fixture(params=MATRIX, ids=spec_id)
def paging(request: pytest.FixtureRequest) -> PagingSpec:
    value: PagingSpec = request.param
    return value


@pytest.fixture
def site_for() -> Iterator[Callable[..., SimulatedSite]]:
    opened: list[SimulatedSite] = []

    def open_site(spec: SiteSpec, *, datacenter: bool = False) -> SimulatedSite:
        site = SimulatedSite(spec, flavor=datacenter_flavor()) if datacenter else SimulatedSite(spec)
        site.start()
        opened.append(site)
        return site

    yield open_site
    for site in opened:
        site.stop()
        assert site.internal_errors == []


# --- Cloud -----------------------------------------------------------------------------------


def widen_memberships(state: SiteState) -> str:
    """Put the admin in every group, so its `user/memberof` listing spans several capped pages."""
    for group_id in state.group_order:
        state.add_group_member(group_id, state.admin_account_id)
    return state.admin_account_id


def cloud_sample(state: SiteState) -> list[str]:
    """Accounts whose group lists are read: the admin (in every group) and a spread of others."""
    return [state.admin_account_id, *state.search_all[1::12]]


async def read_cloud(site: SimulatedSite, accounts: list[str]) -> dict[str, Listed]:
    spec = site.spec
    async with ConfluenceHTTP(site.url, auth=BasicAuth(spec.username, spec.api_token), max_concurrency=4) as http:
        cloud = ConfluenceCloudAPI(http)
        found = {
            "users": await drain(cloud.search_users, "id"),
            "groups": await drain(cloud.list_groups, "id"),
        }
        for group_id in site.state.group_order:
            found[f"members {group_id}"] = await drain(_members(cloud, group_id), "id")
        for account_id in accounts:
            found[f"groups of {account_id}"] = await drain(_groups_of(cloud, account_id), "id")
        return found


def _members(cloud: ConfluenceCloudAPI, group_id: str) -> Callable[[str], Awaitable[ListingPage[Any]]]:
    return lambda token: cloud.group_members(group_id, token)


def _groups_of(cloud: ConfluenceCloudAPI, account_id: str) -> Callable[[str], Awaitable[ListingPage[Any]]]:
    return lambda token: cloud.groups_of_user(account_id, token)


def expected_cloud(state: SiteState, accounts: list[str]) -> dict[str, list[str]]:
    expected = {"users": list(state.search_all), "groups": list(state.group_order)}
    for group_id in state.group_order:
        expected[f"members {group_id}"] = list(state.groups[group_id].members)
    for account_id in accounts:
        expected[f"groups of {account_id}"] = [g for g in state.group_order if account_id in state.groups[g].members]
    return expected


def test_cloud_lists_every_v1_listing_completely(site_for: Callable[..., SimulatedSite], paging: PagingSpec) -> None:
    site = site_for(replace(SITE, paging=paging))
    widen_memberships(site.state)
    accounts = cloud_sample(site.state)
    found = asyncio.run(read_cloud(site, accounts))
    expected = expected_cloud(site.state, accounts)
    assert set(found) == set(expected)
    for what, ids in expected.items():
        check(found[what], ids, what)
        assert not found[what].ceiling_reached, what
    if paging.page_cap is not None:  # the cap was in play: a listing took at least one page per cap
        admin_groups = f"groups of {site.state.admin_account_id}"
        assert found["users"].pages >= pages_needed(expected["users"], paging.page_cap)
        assert found[admin_groups].pages >= pages_needed(expected[admin_groups], paging.page_cap)


@pytest.mark.parametrize(
    "paging",
    [PagingSpec(), PagingSpec(page_cap=7), PagingSpec(next_links=NO_LINKS, page_cap=7), PagingSpec(echo_limit=False)],
    ids=spec_id,
)
def test_cloud_user_search_stops_at_the_ceiling_and_says_so(
    site_for: Callable[..., SimulatedSite], paging: PagingSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    ceiling = 40  # a small stand-in for Cloud's 10,000, on both sides
    monkeypatch.setattr(api, "USER_SEARCH_CEILING", ceiling)
    site = site_for(replace(SITE, paging=paging, search_cap=ceiling))
    assert len(site.state.search_all) > ceiling

    async def read() -> Listed:
        spec = site.spec
        async with ConfluenceHTTP(site.url, auth=BasicAuth(spec.username, spec.api_token)) as http:
            return await drain(ConfluenceCloudAPI(http).search_users, "id")

    listed = asyncio.run(read())
    check(listed, site.state.search_all[:ceiling], "users below the ceiling")
    assert listed.ceiling_reached


# --- Data Center -----------------------------------------------------------------------------


async def read_dc(site: SimulatedSite) -> dict[str, Listed]:
    async with ConfluenceHTTP(site.site_url, auth=BearerAuth(PAT), max_concurrency=4) as http:
        dc = ConfluenceDataCenterAPI(http)
        found = {
            "users": await drain(dc.search_users, "id"),
            "groups": await drain(dc.list_groups, "id"),
            "spaces": await drain(dc.list_spaces, "id"),
        }
        for group in site.state.groups.values():
            found[f"members {group.name}"] = await drain(_dc_members(dc, group.name), "id")
        return found


def _dc_members(dc: ConfluenceDataCenterAPI, name: str) -> Callable[[str], Awaitable[ListingPage[Any]]]:
    return lambda token: dc.group_members(name, token)


def expected_dc(state: SiteState) -> dict[str, list[str]]:
    """DC ids: users by user key (humans only), groups by name, spaces by number (DC_FACTS.md)."""
    humans = [a for a in state.search_all if state.users[a].account_type == "atlassian"]
    expected = {
        "users": [user_key_of(a) for a in humans],
        "groups": [g.name for g in state.groups.values()],
        "spaces": [str(s.id) for s in state.spaces.values() if not s.hidden],
    }
    for group in state.groups.values():
        expected[f"members {group.name}"] = [user_key_of(m) for m in group.members if m in set(humans)]
    return expected


def test_dc_lists_every_v1_listing_completely(site_for: Callable[..., SimulatedSite], paging: PagingSpec) -> None:
    site = site_for(replace(SITE, paging=paging), datacenter=True)
    found = asyncio.run(read_dc(site))
    expected = expected_dc(site.state)
    assert set(found) == set(expected)
    for what, ids in expected.items():
        check(found[what], ids, what)
    if paging.page_cap is not None:  # the cap was in play
        assert found["users"].pages >= pages_needed(expected["users"], paging.page_cap)
        assert found["spaces"].pages >= pages_needed(expected["spaces"], paging.page_cap)
