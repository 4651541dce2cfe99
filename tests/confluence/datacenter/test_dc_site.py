"""The `site` resource on the simulated Data Center site: global permissions in every subject
shape, group grants expanded, and the report's reason when they cannot be read."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec, datacenter_flavor
from confluence_simulator.dc_directory import user_key_of
from confluence_simulator.site_admin_spec import CLASSES_INLINE, SUBJECT_SHAPES, SiteAdminSpec
from confluence_simulator.site_global import GROUP, USER, global_grants

from tests.baton.sync.c1z_rows import synced
from tests.confluence.datacenter.dc_expected import PAT, dc_env
from tests.e2e.cli import run_cli
from tests.e2e.report import report_counters
from tests.e2e.site_cost import cost_of_site_type

SPEC = SiteSpec(seed=5, users=25, groups=6, spaces=4, permissions_per_space=6, personal_access_token=PAT)
CONTEXT = "/confluence"


def expected_site_grants(site: SimulatedSite, site_id: str) -> tuple[set[str], set[str]]:
    """(direct, expanded) grant ids the site's global permissions must give, from the state."""
    state = site.state
    humans = {a for a, u in state.users.items() if u.account_type == "atlassian"}
    direct: set[str] = set()
    expanded: set[str] = set()
    for grant in global_grants(state, site.spec):
        entitlement = f"site:{site_id}:{grant.operation}-{grant.target}"
        if grant.subject_type == USER:
            direct.add(f"{entitlement}:user:{user_key_of(grant.subject_id)}")
        elif grant.subject_type == GROUP:
            direct.add(f"{entitlement}:group:{grant.subject_id}")
            members = state.groups_by_name[grant.subject_id].members
            expanded.update(f"{entitlement}:user:{user_key_of(m)}" for m in members if m in humans)
        else:
            direct.add(f"{entitlement}:access_class:{grant.subject_type}")
    return direct, expanded - direct


def _site_id(site: SimulatedSite) -> str:
    return site.site_url.split("://", 1)[1]  # the configured address without its scheme


VARIANTS = {shape: SiteAdminSpec(dc_subject_shape=shape) for shape in SUBJECT_SHAPES} | {
    "wrapped-inline-unlicensed": SiteAdminSpec(dc_wrapped=True, dc_classes=CLASSES_INLINE, unlicensed_use=True),
}


@pytest.mark.parametrize("variant", list(VARIANTS), ids=list(VARIANTS))
def test_site_holds_exactly_the_global_permissions(variant: str, tmp_path: Path) -> None:
    spec = replace(SPEC, server_version="9.3.1", site_admin=VARIANTS[variant])
    with SimulatedSite(spec, flavor=datacenter_flavor(CONTEXT)) as site:
        result = run_cli([], tmp_path, dc_env(site))
        assert result.returncode == 0, result.stderr
        site_id = _site_id(site)
        rows = synced(tmp_path / "sync.c1z")
        assert [k for k in rows["resources"] if k.startswith("site:")] == [f"site:{site_id}"]
        slugs = {k.rsplit(":", 1)[1] for k in rows["entitlements"] if k.startswith("site:")}
        assert slugs == {
            "use-application", "administer-application", "administer-system", "create-space", "create-personal_space"
        }
        direct, expanded = expected_site_grants(site, site_id)
        assert {g for g in rows["grants"] if g.startswith("site:")} == direct | expanded
        # One read of the listing serves Validate and the sync.
        counts = site.stats.snapshot().by_request
        assert counts[("GET", f"{CONTEXT}/rest/api/permissions")] == 1
    assert not any(k.startswith("site.") for k in report_counters(tmp_path / "sync.c1z"))


@pytest.mark.parametrize(
    ("version", "admin", "reason", "asked"),
    [("9.1.0", True, "endpoint_absent", 0), ("9.3.1", False, "not_permitted", 1)],
    ids=["before-the-rest-group", "caller-not-allowed"],
)
def test_site_without_readable_permissions_is_emitted_and_reported(
    tmp_path: Path, version: str, admin: bool, reason: str, asked: int
) -> None:
    spec = replace(SPEC, server_version=version, account_admin=admin)
    with SimulatedSite(spec, flavor=datacenter_flavor(CONTEXT)) as site:
        result = run_cli([], tmp_path, dc_env(site))
        assert result.returncode == 0, result.stderr
        rows = synced(tmp_path / "sync.c1z")
        assert f"site:{_site_id(site)}" in rows["resources"]
        assert not [g for g in rows["grants"] if g.startswith("site:")]
        # One read serves Validate and the sync (the 403 too); none before 9.2.
        counts = site.stats.snapshot().by_request
        assert counts.get(("GET", f"{CONTEXT}/rest/api/permissions"), 0) == asked
    assert report_counters(tmp_path / "sync.c1z")[f"site.grants_unavailable.{reason}"] == 1


def test_the_global_permission_listing_is_the_only_extra_cost_of_a_default_sync(tmp_path: Path) -> None:
    """A default sync against the same sync without the `site` type: only the class listings
    (the main listing is read by Validate's admin probe either way); other output identical."""
    with SimulatedSite(replace(SPEC, server_version="9.3.1"), flavor=datacenter_flavor(CONTEXT)) as site:
        cost = cost_of_site_type(site, dc_env(site), "user,group,space,access_class", tmp_path)
    assert cost.extra_requests == {
        ("GET", f"{CONTEXT}/rest/api/permissions/anonymous"): 1,
        ("GET", f"{CONTEXT}/rest/api/permissions/unlicensed"): 1,
    }
    # Besides the site's rows: the access classes only the site's grants name (anonymous use here).
    classes = {f"access_class:{g.subject_type}" for g in global_grants(site.state, site.spec)
               if g.subject_type not in (USER, GROUP)}
    assert classes == {"access_class:anonymous"}
    for rows in (cost.with_site, cost.without_site):
        for key in classes:
            rows["resources"].pop(key, None)
    assert cost.with_site == cost.without_site
