"""Integration: the syncers against the simulated Cloud site, checked against `site.state`."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator.state import SiteState

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import BasicAuth, ConfluenceCloudAPI, ConfluenceHTTP
from baton_confluence.confluence.connector import ConfluenceConnector
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.permissions import PermissionCatalog, ReportedPair, classify_reported_pair
from tests.confluence.driver import SyncOutput, run_sync

pytestmark = pytest.mark.timeout(60)


def sync(site: SimulatedSite, **overrides: Any) -> tuple[SyncOutput, dict[str, int]]:
    """A full pass over every syncer; returns the output and the URLs the client fetched twice."""

    async def go() -> tuple[SyncOutput, dict[str, int]]:
        http = ConfluenceHTTP(site.url, auth=BasicAuth(site.spec.username, site.spec.api_token))
        values: dict[str, Any] = {"domain_url": site.url, "concurrency": 8, **overrides}
        connector = ConfluenceConnector(ConfluenceOptions(**values), ConfluenceCloudAPI(http), owns_client=True)
        try:
            await connector.validate()
            http.stats.by_url.clear()  # count the sync itself
            output = await run_sync(connector)
            return output, http.stats.repeated()
        finally:
            await connector.close()

    return asyncio.run(go())


@pytest.fixture(scope="module")
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SiteSpec(seed=7, users=120, groups=14, spaces=24, app_accounts=4, guest_accounts=3)) as s:
        yield s


@pytest.fixture(scope="module")
def rbac_site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SiteSpec(seed=11, users=60, groups=8, spaces=12, rbac_enabled=True)) as s:
        yield s


def humans(state: SiteState) -> set[str]:
    return {u.account_id for u in state.users.values() if u.account_type == "atlassian"}


def visible_spaces(state: SiteState) -> list[int]:
    return [s.id for s in state.spaces.values() if not s.hidden]


def listed_accounts(state: SiteState, search_cap: int = 10_000) -> set[str]:
    """Every account the listings return (search with guests, then every group's members), of
    any account type; this driver runs no engine, so nobody is looked up."""
    return set(state.search_all[:search_cap]) | {a for g in state.groups.values() for a in g.members}


def test_full_sync_matches_the_site(site: SimulatedSite) -> None:
    output, repeated = sync(site)
    state = site.state
    assert repeated == {}
    assert sorted(output.ids("user")) == sorted(listed_accounts(state))
    assert len(output.ids("user")) == len(set(output.ids("user")))
    assert sorted(output.ids("group")) == sorted(state.groups)
    assert sorted(int(i) for i in output.ids("space")) == sorted(visible_spaces(state))
    assert sorted(output.grant_ids()) == sorted(expected_member_grants(state) + expected_permission_grants(state))


def expected_member_grants(state: SiteState) -> list[str]:
    return [f"group:{g.id}:member:user:{a}" for g in state.groups.values() for a in g.members]


def expected_permission_grants(state: SiteState, catalog: PermissionCatalog | None = None) -> list[str]:
    """Every selected permission, whatever its principal (docs/access-classes.md)."""
    catalog = catalog or PermissionCatalog.select()
    found = []
    for space_id in visible_spaces(state):
        for p in state.space_permissions(space_id):
            if not catalog.allows(p.key, p.target):
                continue
            if p.principal_type in ("user", "group"):
                principal = f"{p.principal_type}:{p.principal_id}"
            elif p.principal_type == "role" and p.principal_id in state.roles_by_id:
                principal = f"space_role:{p.principal_id}"
            else:
                principal = f"access_class:{p.principal_id}"
            found.append(f"space:{space_id}:{p.key}-{p.target}:{principal}")
    return found


def test_users_beyond_the_search_ceiling_come_from_groups() -> None:
    spec = SiteSpec(seed=3, users=80, groups=10, spaces=2, search_cap=20)
    with SimulatedSite(spec) as site:
        output, _ = sync(site)
        reachable = listed_accounts(site.state, search_cap=20)
        assert sorted(output.ids("user")) == sorted(reachable)
        assert len(reachable) > 20


def test_filters_and_newer_targets(site: SimulatedSite) -> None:
    nouns = ("space", "page", "whiteboard", "folder")
    output, _ = sync(site, skip_personal_spaces=True, skip_archived_spaces=True, nouns=nouns)
    state = site.state
    kept = sorted(
        s.id for s in state.spaces.values() if not s.hidden and s.type != "personal" and s.status != "archived"
    )
    assert sorted(int(i) for i in output.ids("space")) == kept
    catalog = PermissionCatalog.select(nouns)
    expected = [g for g in expected_permission_grants(state, catalog) if int(g.split(":")[1]) in kept]
    assert sorted(g for g in output.grant_ids() if g.startswith("space:")) == sorted(expected)


@pytest.mark.parametrize("dense", [False, True])
def test_rbac_sync_matches_the_site(rbac_site: SimulatedSite, dense: bool) -> None:
    output, repeated = sync(rbac_site, use_rbac=True, dense_role_bindings=dense)
    state = rbac_site.state
    assert repeated == {}
    assert sorted(output.ids("space_role")) == sorted(r.id for r in state.roles)
    spaces = visible_spaces(state)
    held = {f"{s}:{role}" for s in spaces for role in state.space_role_assignments(s).values()}
    every = {f"{s}:{r.id}" for s in spaces for r in state.roles}
    assert set(output.ids("space_role_assignment")) == (every if dense else held)
    kinds = {"USER": "user", "GROUP": "group", "ACCESS_CLASS": "access_class"}
    expected = [
        f"space_role_assignment:{s}:{role}:assigned:{kinds[kind]}:{pid}"
        for s in spaces
        for (kind, pid), role in state.space_role_assignments(s).items()
    ]
    got = [g for g in output.grant_ids() if g.startswith("space_role_assignment:")]
    assert sorted(got) == sorted(expected)
    assert not [e for e in output.entitlements if e.resource.id.resource_type == "space"]


def test_include_and_exclude_keys(site: SimulatedSite) -> None:
    spaces = sorted((s for s in site.state.spaces.values() if not s.hidden), key=lambda s: s.id)
    include = tuple(s.key for s in spaces[:4])
    output, _ = sync(site, include_space_keys=include, exclude_space_keys=(spaces[0].key,))
    assert sorted(int(i) for i in output.ids("space")) == sorted(s.id for s in spaces[1:4])


def test_validate_refuses_rbac_on_a_pre_roles_site(site: SimulatedSite) -> None:
    with pytest.raises(ConnectorError) as caught:
        sync(site, use_rbac=True)
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "PRE_ROLES" in caught.value.message


def test_newer_pairs_sync_only_when_selected_and_unknown_ones_never() -> None:
    spec = SiteSpec(seed=9, users=20, groups=5, spaces=6, app_accounts=1, guest_accounts=1, newer_permissions=True)
    with SimulatedSite(spec) as newer_site:
        state = newer_site.state
        default_output, _ = sync(newer_site)
        nouns = ("space", "whiteboard", "database", "embed")
        chosen_output, _ = sync(newer_site, nouns=nouns)
    default_grants = sorted(g for g in default_output.grant_ids() if g.startswith("space:"))
    assert default_grants == sorted(expected_permission_grants(state))
    assert not [g for g in default_grants if "archive-whiteboard" in g or "copy-page" in g]

    chosen = sorted(g for g in chosen_output.grant_ids() if g.startswith("space:"))
    assert chosen == sorted(expected_permission_grants(state, PermissionCatalog.select(nouns)))
    assert any(":archive-whiteboard:" in g for g in chosen) and any(":archive-embed:" in g for g in chosen)
    assert not any(":copy-page:" in g or ":move-page:" in g for g in chosen)

    # What a completeness report would count: the two unsourced pairs in every space are unknown,
    # the opt-in ones known but unselected under the defaults.
    reported = Counter(
        (classify_reported_pair(PermissionCatalog.select(), p.key, p.target), p.key)
        for s in visible_spaces(state)
        for p in state.space_permissions(s)
        if p.key in ("copy", "move", "archive")
    )
    spaces = len(visible_spaces(state))
    assert reported[(ReportedPair.UNKNOWN, "copy")] == reported[(ReportedPair.UNKNOWN, "move")] == spaces
    assert reported[(ReportedPair.KNOWN_UNSELECTED, "archive")] == 3 * spaces
