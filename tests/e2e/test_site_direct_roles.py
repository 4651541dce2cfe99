"""Cloud with the organization admin key: Confluence product roles given to single accounts
directly become user grants on the `site` resource, in each plausible shape of an account's role
assignments; a role an account holds only through a group stays the group's (expanded) grant; a
refused per-account route is one report entry and the sync goes on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import pytest
from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator.org_admin import org_admin_site, org_members
from confluence_simulator.org_roles import product_roles
from confluence_simulator.org_user_roles import direct_roles, group_given_roles
from confluence_simulator.site_admin_spec import USER_ROLE_SHAPES, USER_ROLES_METHODS, SiteAdminSpec
from confluence_simulator.site_global import cloud_id_of
from confluence_simulator.variants_spec import DataVariants

from tests.baton.sync.c1z_rows import synced
from tests.e2e.cli import run_cli, site_env
from tests.e2e.report import report_counters

SPEC = SiteSpec(seed=23, users=40, groups=6, spaces=3, permissions_per_space=5, app_accounts=2, guest_accounts=2,
                variants=DataVariants(ungrouped_users=3))
SLUGS = {"atlassian/admin": "administer-application", "atlassian/user": "use-application"}


def _sync(spec: SiteSpec, tmp_path: Path, *args: str) -> tuple[SimulatedSite, dict[tuple[str, str], int]]:
    with SimulatedSite(spec) as site, org_admin_site(site) as admin:
        env = site_env(site) | {
            "BATON_ORG_ID": spec.site_admin.org_id,
            "BATON_ORG_API_KEY": spec.site_admin.org_api_key,
            "BATON_ADMIN_API_URL": admin.url,
        }
        result = run_cli(list(args), tmp_path, env)
        assert result.returncode == 0, result.stderr
        return site, dict(admin.stats.snapshot().by_request)


def _site_grants(tmp_path: Path) -> set[str]:
    return {g for g in synced(tmp_path / "sync.c1z")["grants"] if g.startswith("site:")}


def _group_grants(site: SimulatedSite, spec: SiteSpec) -> set[str]:
    site_id = cloud_id_of(spec)
    out: set[str] = set()
    for group_id, held in product_roles(site.state, spec).items():
        for role in (r for r in held if r in SLUGS):
            out.add(f"site:{site_id}:{SLUGS[role]}:group:{group_id}")
            out.update(f"site:{site_id}:{SLUGS[role]}:user:{m}" for m in site.state.groups[group_id].members)
    return out


@pytest.mark.parametrize("shape", USER_ROLE_SHAPES)
def test_direct_roles_become_user_grants(shape: str, tmp_path: Path) -> None:
    spec = replace(SPEC, site_admin=SiteAdminSpec(user_role_shape=shape))
    site, admin_requests = _sync(spec, tmp_path)
    site_id = cloud_id_of(spec)
    direct = direct_roles(site.state, spec)
    both = {(a, r) for a, held in direct.items() for r in held & group_given_roles(site.state, spec, a)}
    only_direct = {(a, r) for a, held in direct.items() for r in held - group_given_roles(site.state, spec, a)}
    assert both and {r for _, r in only_direct} == set(SLUGS)  # every case occurs on this site
    # With assignment methods every direct role is read; without them a role one of the account's
    # groups also gives cannot be told apart and stays the group's grant (docs/site-and-activity.md).
    expected_direct = only_direct | (both if shape == USER_ROLES_METHODS else set())
    expected = _group_grants(site, spec) | {f"site:{site_id}:{SLUGS[r]}:user:{a}" for a, r in expected_direct}
    assert _site_grants(tmp_path) == expected
    report = report_counters(tmp_path / "sync.c1z", "site.")
    assert not [k for k in report if k.startswith(("site.grants_partial", "site.grants_unavailable"))], report
    # Each org member asked once (apps and guests are not in the org's listing); nothing twice.
    asked = [p for _, p in admin_requests if "/users/" in p and p.endswith("/role-assignments")]
    members = {u.account_id for u in org_members(site.state, spec)}
    assert {unquote(p.split("/users/")[1].split("/")[0]) for p in asked} == members and len(asked) == len(members)
    assert set(admin_requests.values()) == {1}


@pytest.mark.parametrize("status", [403, 404])
def test_a_refused_per_account_route_is_one_report_entry(status: int, tmp_path: Path) -> None:
    spec = replace(SPEC, site_admin=SiteAdminSpec(user_roles_status=status))
    site, admin_requests = _sync(spec, tmp_path)
    assert _site_grants(tmp_path) == _group_grants(site, spec)  # the groups' roles still arrive
    report = report_counters(tmp_path / "sync.c1z", "site.grants_")
    assert report == {"site.grants_partial.direct_user_roles_not_readable": 1}
    assert sum(1 for _, p in admin_requests if "/users/" in p and p.endswith("/role-assignments")) == 1


def test_last_activity_shares_the_bulk_listing(tmp_path: Path) -> None:
    spec = replace(SPEC, site_admin=SiteAdminSpec(bulk_page_size=10))
    site, admin_requests = _sync(spec, tmp_path, "--last-activity")
    searches = [n for (method, p), n in admin_requests.items() if method == "POST" and p.endswith("/users/search")]
    in_org = len(org_members(site.state, spec))
    assert sum(searches) == -(-in_org // 10)  # every page once (the cursor is in the body), for both uses
    assert {n for (method, _), n in admin_requests.items() if method == "GET"} == {1}
