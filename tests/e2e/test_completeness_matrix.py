"""Completeness matrix: the real command line syncs a simulated site with one data variant switched
on (then all of them), and the c1z must hold EXACTLY what tests/e2e/expected.py computes from the
site's state: every account, every group, space, membership and permission grant.

Each case compares every category at once and reports every difference, so a failure says what
kind of content is missing or extra, not just the first one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from confluence_simulator import DataVariants, PagingSpec, SimulatedSite, SiteSpec

from baton_confluence.baton import pb
from baton_confluence.baton.inspect.render import completeness_of
from baton_confluence.baton.sync.completeness import GONE, LOOKED_UP
from tests.baton.sync.c1z_rows import ids, latest_sync, open_c1z, synced
from tests.e2e.cli import run_cli, site_env
from tests.e2e.expected import Expected, expected
from tests.e2e.synced_users import as_oracle_sees, synced_users

SMALL = SiteSpec(seed=23, users=60, groups=8, spaces=10, permissions_per_space=10, guest_accounts=2,
                 app_accounts=3, customer_accounts=1, members_per_group=6)
# A ceiling below the site's account count, so that some accounts are reachable only through
# groups or grants, and some (ungrouped, holding nothing) by nothing at all.
LOW_CEILING = 45

ALL_ON = DataVariants(null_optional_fields=True, ungrouped_users=8, ungrouped_guests=4, app_permissions=True,
                      missing_principals=3, role_name_field="displayName")
CASES: dict[str, SiteSpec] = {
    "null_optional_fields": replace(SMALL, variants=DataVariants(null_optional_fields=True)),
    "ungrouped_users": replace(SMALL, search_cap=LOW_CEILING, variants=DataVariants(ungrouped_users=8)),
    "ungrouped_guests": replace(SMALL, variants=DataVariants(ungrouped_guests=4)),
    "app_permissions": replace(SMALL, variants=DataVariants(app_permissions=True)),
    "missing_principals": replace(SMALL, variants=DataVariants(missing_principals=3)),
    # Role principals and role objects exist only on a site with RBAC on.
    "role_name_field": replace(SMALL, rbac_enabled=True, variants=DataVariants(role_name_field="displayName")),
    "all_on": replace(SMALL, rbac_enabled=True, search_cap=LOW_CEILING, variants=ALL_ON),
    # Paging the documentation leaves open (simulator/paging_spec.py), on the site with every
    # data variant: no next links, pages capped below what was asked, a lying totalSize.
    "no_next_links": replace(SMALL, variants=ALL_ON, rbac_enabled=True, paging=PagingSpec(next_links=frozenset())),
    "capped_pages_no_links": replace(
        SMALL, variants=ALL_ON, rbac_enabled=True, paging=PagingSpec(next_links=frozenset(), page_cap=7)
    ),
    "capped_pages_links_no_echo": replace(SMALL, variants=ALL_ON, paging=PagingSpec(page_cap=5, echo_limit=False)),
    "wrong_total_size": replace(
        SMALL, variants=ALL_ON, paging=PagingSpec(next_links=frozenset(), wrong_total_size=True)
    ),
}


def _sync(site: SimulatedSite, tmp_path: Path, *args: str) -> dict[str, dict[str, bytes]]:
    result = run_cli(list(args), tmp_path, site_env(site))
    assert result.returncode == 0, result.stderr
    return synced(tmp_path / "sync.c1z")


def _differences(want: set[str] | dict[str, Any], got: set[str] | dict[str, Any]) -> dict[str, Any]:
    if isinstance(want, dict) and isinstance(got, dict):
        changed = {k: {"want": want[k], "got": got[k]} for k in want.keys() & got.keys() if want[k] != got[k]}
        return {k: v for k, v in (("missing", sorted(want.keys() - got.keys())),
                                  ("extra", sorted(got.keys() - want.keys())), ("changed", changed)) if v}
    assert isinstance(want, set) and isinstance(got, set)
    return {k: v for k, v in (("missing", sorted(want - got)), ("extra", sorted(got - want))) if v}


def _mismatches(rows: dict[str, dict[str, bytes]], want: Expected) -> dict[str, Any]:
    grants = set(rows["grants"])
    space_grants = {g for g in grants if g.startswith("space:")}
    got_users = as_oracle_sees(synced_users(rows["resources"]), want.users)
    found = {
        "users": _differences(want.users, got_users),
        "groups": _differences(want.groups, ids(rows["resources"], "group:")),
        "spaces": _differences(want.spaces, ids(rows["resources"], "space:")),
        "member_grants": _differences(want.member_grants, {g for g in grants if g.startswith("group:")}),
        "direct_grants": _differences(want.direct_grants, space_grants - want.expanded_grants),
        "expanded_grants": _differences(want.expanded_grants, space_grants - want.direct_grants),
        "access_classes": _differences(want.access_classes, ids(rows["resources"], "access_class:")),
    }
    return {k: v for k, v in found.items() if v}


def _report(path: Path) -> dict[str, int]:
    conn = open_c1z(path)
    (token,) = conn.execute("select sync_token from v1_sync_runs where sync_id = ?", (latest_sync(conn),)).fetchone()
    return dict(completeness_of(token).counters)


@pytest.mark.parametrize("spec", list(CASES.values()), ids=list(CASES))
def test_sync_holds_exactly_the_site(spec: SiteSpec, tmp_path: Path) -> None:
    with SimulatedSite(spec) as site:
        rows = _sync(site, tmp_path)
        want = expected(site.state, search_cap=spec.search_cap)
        listed = site.state.search_all[: spec.search_cap]
        assert site.internal_errors == []
    assert _mismatches(rows, want) == {}
    # the role catalogue is synced without --use-rbac too (none where the site has roles off)
    assert ids(rows["resources"], "space_role:") == (want.space_roles if spec.rbac_enabled else set())
    # the completeness report agrees with the site: skipped pairs, deleted principals, lookups
    report = _report(tmp_path / "sync.c1z")
    skipped = {k.rsplit(".", 1)[1]: v for k, v in report.items() if k.startswith("permissions_skipped.")}
    assert skipped == {f"{verb}-{noun}": n for (verb, noun), n in want.skipped_pairs.items()}
    deleted = {uid for uid, (status, _) in want.users.items() if status == "deleted"}
    assert report.get(f"{GONE}.user", 0) == len(deleted)
    in_listings = set(listed) | {m for g in site.state.groups.values() for m in g.members}
    assert report.get(f"{LOOKED_UP}.user", 0) == len(set(want.users) - in_listings)
    assert report["accounts.search"] == len(listed)


def test_the_low_ceiling_leaves_accounts_unreachable() -> None:
    """The setup the ceiling cases rely on: some accounts are past the ceiling yet reached through
    groups or grants, and some are reached by nothing (the documented limit)."""
    for name in ("ungrouped_users", "all_on"):
        spec = CASES[name]
        with SimulatedSite(spec) as site:
            want = expected(site.state, search_cap=spec.search_cap)
            state = site.state
            searchable = {a for order in (state.search_all, state.search_licensed, state.search_guests)
                          for a in order[: spec.search_cap]}
            past = set(state.users) - searchable
            assert want.unreachable_users and want.unreachable_users <= past, name
            assert past - want.unreachable_users, name  # reached through a group or a grant only


@pytest.mark.parametrize("field", ["displayName", "name"])
def test_role_names_reach_the_c1z_whichever_field_the_site_sends(field: str, tmp_path: Path) -> None:
    spec = replace(SMALL, rbac_enabled=True, variants=DataVariants(role_name_field=field))
    with SimulatedSite(spec) as site:
        rows = _sync(site, tmp_path, "--use-rbac")
        names = {r.id: r.name for r in site.state.roles}
    got = {
        role_id: pb.resource.Resource.FromString(rows["resources"][f"space_role:{role_id}"]).display_name
        for role_id in ids(rows["resources"], "space_role:")
    }
    assert got == names
