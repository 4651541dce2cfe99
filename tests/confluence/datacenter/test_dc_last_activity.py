"""`--last-activity` on the simulated Data Center site: the admin user listing (9.3+) in each
`lastLogin` shape, and the reason every account lacks a date where the listing is missing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec, datacenter_flavor
from confluence_simulator.activity import activity_of
from confluence_simulator.dc_directory import Directory
from confluence_simulator.site_admin_spec import LAST_LOGIN_SHAPES, SiteAdminSpec

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from tests.baton.sync.c1z_rows import synced
from tests.confluence.datacenter.dc_expected import PAT, dc_env
from tests.e2e.cli import run_cli
from tests.e2e.report import report_counters

SPEC = SiteSpec(seed=17, users=30, groups=5, spaces=3, permissions_per_space=5, personal_access_token=PAT,
                server_version="9.3.1")
ACTIVE_LISTING = "/confluence/rest/api/admin/users/list/active"


def _users(path: Path) -> dict[str, pb.resource.Resource]:
    rows = synced(path)
    return {
        k.split(":", 1)[1]: pb.resource.Resource.FromString(v) for k, v in rows["resources"].items() if k.startswith("user:")
    }


def _sync(spec: SiteSpec, tmp_path: Path) -> SimulatedSite:
    with SimulatedSite(spec, flavor=datacenter_flavor("/confluence")) as site:
        result = run_cli([], tmp_path, dc_env(site) | {"BATON_LAST_ACTIVITY": "true"})
        assert result.returncode == 0, result.stderr
    return site


@pytest.mark.parametrize("shape", LAST_LOGIN_SHAPES)
def test_licensed_users_carry_their_last_login(shape: str, tmp_path: Path) -> None:
    site = _sync(replace(SPEC, site_admin=SiteAdminSpec(dc_last_login_shape=shape)), tmp_path)
    by_key = {e.user_key: e.account_id for e in Directory(site.state, site.spec).listed()}
    want: dict[str, int] = {}
    users = _users(tmp_path / "sync.c1z")
    for key, resource in users.items():
        user = site.state.users[by_key[key]]
        at = activity_of(site.spec, user).at
        trait = ann.find(resource.annotations, pb.trait.UserTrait)
        assert trait is not None
        if not user.active:
            reason = "not_licensed"
        elif at is None:
            reason = "never_active"
        else:
            assert trait.last_login.ToDatetime(tzinfo=UTC) == at, key
            want["accounts.last_login.known"] = want.get("accounts.last_login.known", 0) + 1
            continue
        assert not trait.HasField("last_login") and resource.profile.fields["last_login_missing"].string_value == reason
        want[f"accounts.last_login.unknown.{reason}"] = want.get(f"accounts.last_login.unknown.{reason}", 0) + 1
    assert report_counters(tmp_path / "sync.c1z", "accounts.last_login.") == want
    assert len(want) == 3  # dated, never signed in, and unlicensed accounts all occur
    # The listing is read once (one page here), whatever the number of accounts asked about.
    assert site.stats.snapshot().count("GET", ACTIVE_LISTING) == 1


@pytest.mark.parametrize(
    ("version", "admin", "reason"),
    [("9.2.1", True, "endpoint_absent"), ("9.3.1", False, "not_permitted")],
    ids=["before-9.3", "caller-not-allowed"],
)
def test_without_the_listing_every_account_is_counted_with_the_reason(
    tmp_path: Path, version: str, admin: bool, reason: str
) -> None:
    _sync(replace(SPEC, server_version=version, account_admin=admin), tmp_path)
    users = _users(tmp_path / "sync.c1z")
    assert all(r.profile.fields["last_login_missing"].string_value == reason for r in users.values())
    assert report_counters(tmp_path / "sync.c1z", "accounts.last_login.") == {f"accounts.last_login.unknown.{reason}": len(users)}


def test_without_the_option_nothing_is_asked_and_users_are_unchanged(tmp_path: Path) -> None:
    with SimulatedSite(SPEC, flavor=datacenter_flavor("/confluence")) as site:
        result = run_cli([], tmp_path, dc_env(site))
        assert result.returncode == 0, result.stderr
        requests = site.stats.snapshot().by_request
    assert not [path for _, path in requests if path.startswith(ACTIVE_LISTING)]
    users = _users(tmp_path / "sync.c1z")
    assert users and not any("last_login_missing" in r.profile.fields for r in users.values())
    assert report_counters(tmp_path / "sync.c1z", "accounts.last_login.") == {}
