"""Cloud with the organization admin key: the `site` resource's grants are the Confluence product
roles of the org's groups (each plausible shape), expanded to members; other sites' and products'
roles are left out; roles given to accounts directly are read too (tests/e2e/test_site_direct_roles.py
has their variants)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator.org_admin import org_admin_site
from confluence_simulator.org_roles import product_roles
from confluence_simulator.org_user_roles import direct_roles
from confluence_simulator.site_admin_spec import ROLE_SHAPES, SiteAdminSpec
from confluence_simulator.site_global import cloud_id_of

from tests.baton.sync.c1z_rows import synced
from tests.e2e.cli import run_cli, site_env
from tests.e2e.report import report_counters

SPEC = SiteSpec(seed=23, users=25, groups=6, spaces=3, permissions_per_space=5)
SLUGS = {"atlassian/admin": "administer-application", "atlassian/user": "use-application"}


@pytest.mark.parametrize("shape", ROLE_SHAPES)
def test_site_grants_are_the_groups_product_roles(shape: str, tmp_path: Path) -> None:
    spec = replace(SPEC, site_admin=SiteAdminSpec(role_shape=shape, group_page_size=4))
    with SimulatedSite(spec) as site, org_admin_site(site) as admin:
        env = site_env(site) | {
            "BATON_ORG_ID": spec.site_admin.org_id,
            "BATON_ORG_API_KEY": spec.site_admin.org_api_key,
            "BATON_ADMIN_API_URL": admin.url,
        }
        result = run_cli([], tmp_path, env)
        assert result.returncode == 0, result.stderr
        admin_requests = admin.stats.snapshot().by_request
    site_id = cloud_id_of(spec)
    roles = product_roles(site.state, spec)
    direct, expanded, unknown = set(), set(), 0
    for group_id, held in roles.items():
        for role in held:
            if role not in SLUGS:
                unknown += 1
                continue
            entitlement = f"site:{site_id}:{SLUGS[role]}"
            direct.add(f"{entitlement}:group:{group_id}")
            expanded.update(f"{entitlement}:user:{m}" for m in site.state.groups[group_id].members)
    assert direct and expanded and unknown  # every case occurs on this site
    for account, held in direct_roles(site.state, spec).items():
        direct.update(f"site:{site_id}:{SLUGS[role]}:user:{account}" for role in held)
    rows = synced(tmp_path / "sync.c1z")
    assert {g for g in rows["grants"] if g.startswith("site:")} == direct | expanded
    report = report_counters(tmp_path / "sync.c1z", "site.")
    assert sum(report.values()) == unknown and all(k.startswith("site.permissions_skipped.unknown.") for k in report)
    # One request per group page and per group (and per account, for its direct roles), each once;
    # no last-active dates without --last-activity.
    paths = [path for _, path in admin_requests]
    assert sum(1 for p in paths if "/groups/" in p and p.endswith("/role-assignments")) == len(site.state.groups)
    assert set(admin_requests.values()) == {1}
    assert not [p for p in paths if "last-active" in p]
