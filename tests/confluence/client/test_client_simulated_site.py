"""The client against the simulated site over real sockets, with injected faults.

Same seed, same data: a run through 429s, 503s, reset connections and a truncated body must list
exactly what a fault-free run lists, fetch no page twice, and get there by retrying.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from confluence_simulator.server import SimulatedSite
from confluence_simulator.spec import FaultSpec, SiteSpec

from baton_confluence.confluence.client import (
    Account,
    BasicAuth,
    ConfluenceCloudAPI,
    ConfluenceHTTP,
    ListingPage,
    RequestStats,
    SpacePermission,
)

T = TypeVar("T")

SPEC = SiteSpec(users=120, groups=10, spaces=30, seed=5)
FAULTS = FaultSpec(p_429=0.05, p_503=0.05, p_reset=0.1, truncate_once_path="/wiki/api/v2/spaces", seed=11)


async def drain(fetch: Callable[[str], Awaitable[ListingPage[T]]]) -> list[T]:
    """What the sync engine does: one page per call, resuming from the returned token."""
    items: list[T] = []
    token = ""
    while True:
        page = await fetch(token)
        items.extend(page.items)
        if not page.next_token:
            return items
        token = page.next_token


async def snapshot(url: str, spec: SiteSpec) -> tuple[dict[str, Any], RequestStats]:
    async with ConfluenceHTTP(url, auth=BasicAuth(spec.username, spec.api_token), max_concurrency=6) as http:
        api = ConfluenceCloudAPI(http)
        users, groups, spaces = await asyncio.gather(
            drain(api.search_users), drain(api.list_groups), drain(api.list_spaces)
        )
        members = await asyncio.gather(*(drain(_members(api, group.id)) for group in groups))
        permissions = await asyncio.gather(*(drain(_permissions(api, space.id)) for space in spaces))
    result = {
        "users": sorted(user.id for user in users),
        "groups": sorted(group.id for group in groups),
        "members": sorted(len(group) for group in members),
        "spaces": sorted(space.id for space in spaces),
        "permissions": sorted(p.id for space in permissions for p in space),
    }
    return result, http.stats


def _members(api: ConfluenceCloudAPI, group_id: str) -> Callable[[str], Awaitable[ListingPage[Account]]]:
    return lambda token: api.group_members(group_id, token)


def _permissions(api: ConfluenceCloudAPI, space_id: str) -> Callable[[str], Awaitable[ListingPage[SpacePermission]]]:
    return lambda token: api.space_permissions(space_id, token)


def run(spec: SiteSpec) -> tuple[dict[str, Any], RequestStats]:
    with SimulatedSite(spec) as site:
        return asyncio.run(snapshot(site.url, spec))


def test_faults_change_nothing_but_the_retry_count() -> None:
    clean, clean_stats = run(SPEC)
    faulty, faulty_stats = run(SiteSpec(users=120, groups=10, spaces=30, seed=5, faults=FAULTS))
    assert faulty == clean
    assert len(clean["users"]) >= 120 and len(clean["spaces"]) == 30
    assert clean_stats.retries == 0
    assert faulty_stats.retries > 0
    assert faulty_stats.calls == clean_stats.calls
    assert clean_stats.repeated() == {} and faulty_stats.repeated() == {}
