"""`--last-activity` on the simulated Cloud site with its organization admin API: every account
the org knows carries its date, by either route; the rest are counted by reason; the key's
problems are one-line errors; without the option nothing is asked."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator.activity import activity_of
from confluence_simulator.org_admin import BULK_SEARCH, org_admin_site
from confluence_simulator.site_admin_spec import BULK_DATE, BULK_SHAPES, SiteAdminSpec

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from tests.baton.sync.c1z_rows import synced
from tests.e2e.cli import run_cli, site_env
from tests.e2e.report import report_counters

SPEC = SiteSpec(seed=21, users=30, groups=5, spaces=3, permissions_per_space=5, app_accounts=3, guest_accounts=3)


def _env(site: SimulatedSite, admin: SimulatedSite, key: str | None = None) -> dict[str, str]:
    return site_env(site) | {
        "BATON_LAST_ACTIVITY": "true",
        "BATON_ORG_ID": site.spec.site_admin.org_id,
        "BATON_ORG_API_KEY": key if key is not None else site.spec.site_admin.org_api_key,
        "BATON_ADMIN_API_URL": admin.url,
    }


def _expected(site: SimulatedSite, account_id: str, *, date_only: bool) -> tuple[datetime | None, str]:
    """(last login, reason when none) the site's state says an account must carry."""
    user = site.state.users[account_id]
    activity = activity_of(site.spec, user)
    if user.account_type == "app":
        return None, "app_account"
    if not activity.in_org:
        return None, "unknown_to_org"
    if activity.at is None:
        return None, "never_active"
    if date_only:
        return datetime(activity.at.year, activity.at.month, activity.at.day, tzinfo=UTC), ""
    return activity.at, ""


def _check_users(site: SimulatedSite, c1z: Path, *, date_only: bool) -> None:
    rows = synced(c1z)
    users = {k.split(":", 1)[1]: v for k, v in rows["resources"].items() if k.startswith("user:")}
    assert users
    want_report: dict[str, int] = {}
    for account_id, data in users.items():
        resource = pb.resource.Resource.FromString(data)
        trait = ann.find(resource.annotations, pb.trait.UserTrait)
        assert trait is not None
        at, reason = _expected(site, account_id, date_only=date_only)
        if at is None:
            assert not trait.HasField("last_login"), account_id
            assert resource.profile.fields["last_login_missing"].string_value == reason, account_id
            name = f"accounts.last_login.unknown.{reason}"
        else:
            assert trait.last_login.ToDatetime(tzinfo=UTC) == at, account_id
            assert "last_login_missing" not in resource.profile.fields
            name = "accounts.last_login.known"
        want_report[name] = want_report.get(name, 0) + 1
    report = report_counters(c1z)
    assert {k: v for k, v in report.items() if k.startswith("accounts.last_login.")} == want_report
    # The site has accounts of every kind, so every reason is exercised.
    assert set(want_report) >= {
        "accounts.last_login.known",
        "accounts.last_login.unknown.app_account",
        "accounts.last_login.unknown.unknown_to_org",
        "accounts.last_login.unknown.never_active",
    }


@pytest.mark.parametrize("shape", BULK_SHAPES)
def test_bulk_route_dates_every_account_the_org_knows(tmp_path: Path, shape: str) -> None:
    spec = replace(SPEC, site_admin=SiteAdminSpec(bulk_page_size=7, bulk_shape=shape))
    with SimulatedSite(spec) as site, org_admin_site(site) as admin:
        result = run_cli([], tmp_path, _env(site, admin))
        assert result.returncode == 0, result.stderr
        admin_requests = admin.stats.snapshot().by_request
    _check_users(site, tmp_path / "sync.c1z", date_only=shape == BULK_DATE)
    # Only the bulk search: every page once, no per-account request.
    members = sum(1 for u in site.state.users.values() if activity_of(spec, u).in_org)
    pages = -(-members // 7)
    # The rest are the site's product roles (of groups, and of accounts: their /role-assignments).
    activity = [k for k in admin_requests if "/users" in k[1] and not k[1].endswith("/role-assignments")]
    assert activity == [("POST", f"/admin/v2/orgs/{spec.site_admin.org_id}/directories/-/users/search")]
    assert admin_requests[("POST", BULK_SEARCH.format(orgId=spec.site_admin.org_id, directoryId="-"))] == pages


@pytest.mark.parametrize("status", [404, 405, 403])
def test_without_the_bulk_route_each_account_is_asked_once(tmp_path: Path, status: int) -> None:
    spec = replace(SPEC, site_admin=SiteAdminSpec(bulk_search=False, bulk_absent_status=status))
    with SimulatedSite(spec) as site, org_admin_site(site) as admin:
        result = run_cli([], tmp_path, _env(site, admin))
        assert result.returncode == 0, result.stderr
        admin_requests = admin.stats.snapshot().by_request
    _check_users(site, tmp_path / "sync.c1z", date_only=True)
    per_account = {path: n for (_, path), n in admin_requests.items() if path.endswith("/last-active-dates")}
    synced_ids = {k.split(":", 1)[1] for k in synced(tmp_path / "sync.c1z")["resources"] if k.startswith("user:")}
    asked = {unquote(path.split("/users/")[1].split("/")[0]) for path in per_account}
    non_apps = {a for a in synced_ids if site.state.users[a].account_type != "app"}
    assert asked == non_apps  # app accounts are never asked: no organization holds them
    assert set(per_account.values()) == {1}


@pytest.mark.parametrize("warns", [False, True])
def test_rate_limited_admin_api_still_dates_everyone(tmp_path: Path, warns: bool) -> None:
    spec = replace(
        SPEC, site_admin=SiteAdminSpec(bulk_search=False, admin_rate_limit_rps=8, admin_rate_limit_warns=warns)
    )
    with SimulatedSite(spec) as site, org_admin_site(site) as admin:
        result = run_cli([], tmp_path, _env(site, admin))
        assert result.returncode == 0, result.stderr
        throttled = admin.stats.rate_limited_count
    _check_users(site, tmp_path / "sync.c1z", date_only=True)
    if not warns:
        assert throttled > 0  # the admin API did push back unannounced, and the sync absorbed it
    else:
        assert throttled <= 2  # warned by X-RateLimit-Remaining, the client paces itself below the bucket


def test_wrong_key_is_one_line_naming_the_flag(tmp_path: Path) -> None:
    with SimulatedSite(SPEC) as site, org_admin_site(site) as admin:
        result = run_cli([], tmp_path, _env(site, admin, key="not-the-key-xyz"))
    assert result.returncode != 0
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ") and "--org-api-key" in line and "401" in line
    assert "Traceback" not in result.stderr and "not-the-key-xyz" not in result.stderr + result.stdout


def test_last_activity_without_org_key_is_a_usage_error_before_any_request(tmp_path: Path) -> None:
    with SimulatedSite(SPEC) as site:
        env = site_env(site) | {"BATON_LAST_ACTIVITY": "true", "BATON_ORG_ID": "some-org"}
        result = run_cli([], tmp_path, env)
        assert site.stats.total_requests == 0
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--org-api-key" in lines[0] and "--last-activity" in lines[0]
    assert not (tmp_path / "sync.c1z").exists()
