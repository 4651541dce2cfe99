"""The real command line against the simulated Data Center site, with each kind of auth."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec, datacenter_flavor
from confluence_simulator.dc_directory import Directory
from confluence_simulator.state import ANONYMOUS, PRINCIPAL_ACCESS_CLASS

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from tests.baton.sync.c1z_rows import ids, synced
from tests.confluence.datacenter.dc_expected import PAT, dc_env, expected_dc
from tests.e2e.cli import run_cli

SPEC = SiteSpec(seed=11, users=40, groups=8, spaces=12, permissions_per_space=10, personal_access_token=PAT)


@pytest.fixture(scope="module")
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC, flavor=datacenter_flavor("/confluence")) as running:
        yield running


@pytest.mark.parametrize("auth", ["pat", "basic"])
def test_sync_matches_the_site(site: SimulatedSite, tmp_path: Path, auth: str) -> None:
    assert site.site_url.endswith("/confluence")
    site.reset_stats()
    result = run_cli([], tmp_path, dc_env(site, auth))
    assert result.returncode == 0, result.stderr
    rows = synced(tmp_path / "sync.c1z")
    want = expected_dc(site)
    assert ids(rows["resources"], "user:") == set(want.users)
    for key, enabled in want.users.items():
        user = pb.resource.Resource.FromString(rows["resources"][f"user:{key}"])
        assert (user.status.status == pb.resource.Status.RESOURCE_STATUS_ENABLED) is enabled, key
    assert ids(rows["resources"], "group:") == want.groups
    assert ids(rows["resources"], "space:") == want.spaces
    grants = set(rows["grants"])
    assert {g for g in grants if g.startswith("group:")} == want.member_grants
    assert {g for g in grants if g.startswith("space:")} == want.direct_grants | want.expanded_grants
    for gid in want.expanded_grants:
        grant = pb.grant.Grant.FromString(rows["grants"][gid])
        assert ann.has(grant.annotations, pb.grant_annotations.GrantImmutable), gid
    # Every request went under the context path, and no URL was fetched twice (Validate included).
    snapshot = site.stats.snapshot()
    assert all(path.startswith("/confluence/rest/api/") for _, path in snapshot.by_request)
    assert {k: n for k, n in snapshot.by_request.items() if n > 1} == {}


def test_users_carry_their_username_as_login(site: SimulatedSite, tmp_path: Path) -> None:
    result = run_cli([], tmp_path, dc_env(site))
    assert result.returncode == 0, result.stderr
    rows = synced(tmp_path / "sync.c1z")
    directory = Directory(site.state, site.spec)
    for entry in directory.listed():
        user = pb.resource.Resource.FromString(rows["resources"][f"user:{entry.user_key}"])
        trait = ann.find(user.annotations, pb.trait.UserTrait)
        assert trait is not None and trait.login == entry.username
        assert user.profile.fields["username"].string_value == entry.username
        assert user.profile.fields["id"].string_value == entry.user_key


def test_entitlements_keep_cloud_slugs_and_drop_pairs_dc_lacks(site: SimulatedSite, tmp_path: Path) -> None:
    result = run_cli([], tmp_path, dc_env(site))
    assert result.returncode == 0, result.stderr
    slugs = {k.rsplit(":", 1)[1] for k in synced(tmp_path / "sync.c1z")["entitlements"] if k.startswith("space:")}
    assert {"read-space", "administer-space", "restrict_content-space", "delete-space", "create-page"} <= slugs
    assert not slugs & {"archive-page", "update-space", "create-whiteboard"}


def test_wrong_password_fails_in_one_line(site: SimulatedSite, tmp_path: Path) -> None:
    env = dc_env(site, "basic") | {"BATON_PASSWORD": "pw-that-must-not-leak"}
    result = run_cli([], tmp_path, env)
    assert result.returncode == 16, result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ") and "--password" in line
    assert "pw-that-must-not-leak" not in result.stderr + result.stdout


def test_use_rbac_is_one_usage_line_before_any_request(site: SimulatedSite, tmp_path: Path) -> None:
    previous = tmp_path / "sync.c1z"
    previous.write_bytes(b"the previous file")
    before = site.stats.snapshot().total_requests
    result = run_cli(["--use-rbac"], tmp_path, dc_env(site, "pat"))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ") and "--use-rbac" in line and "Data Center" in line
    assert previous.read_bytes() == b"the previous file"
    assert site.stats.snapshot().total_requests == before


def test_unknown_token_is_taken_for_the_anonymous_user(site: SimulatedSite, tmp_path: Path) -> None:
    env = dc_env(site) | {"BATON_PERSONAL_ACCESS_TOKEN": "not-the-token"}
    result = run_cli([], tmp_path, env)
    assert result.returncode == 16, result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert "anonymous" in line and "--personal-access-token" in line and "not-the-token" not in line


def sync_version(tmp_path: Path, version: str) -> tuple[set[str], set[str], dict[tuple[str, str], int], int]:
    """(space grants synced, space grants expected, requests made, spaces synced) for one version.

    Each site also lets anonymous users view its first space: read by both APIs, never a grant."""
    spec = SiteSpec(**{**SPEC.__dict__, "server_version": version})
    with SimulatedSite(spec, flavor=datacenter_flavor("/confluence")) as running:
        first = min((s for s in running.state.spaces.values() if not s.hidden), key=lambda s: s.id)
        running.state.add_space_permission(first.id, PRINCIPAL_ACCESS_CLASS, ANONYMOUS, "read", "space")
        workdir = tmp_path / version
        workdir.mkdir()
        result = run_cli([], workdir, dc_env(running))
        assert result.returncode == 0, result.stderr
        want = expected_dc(running)
        requests = dict(running.stats.snapshot().by_request)
    grants = {g for g in synced(workdir / "sync.c1z")["grants"] if g.startswith("space:")}
    return grants, want.direct_grants | want.expanded_grants, requests, len(want.spaces)


def test_before_9_1_the_remote_api_gives_the_grants_9_2_gives(tmp_path: Path) -> None:
    new_grants, new_want, new_requests, _ = sync_version(tmp_path, "9.2.1")
    old_grants, old_want, old_requests, spaces = sync_version(tmp_path, "8.5.4")
    assert new_grants == new_want and old_grants == old_want
    assert old_grants == new_grants and old_grants
    assert not any(path.startswith("/confluence/rpc/") for _, path in new_requests)
    rpc = {k: n for k, n in old_requests.items() if k[1].startswith("/confluence/rpc/")}
    # One getSpacePermissionSets per synced space, plus Validate's getServerInfo and probe.
    assert rpc == {("POST", "/confluence/rpc/json-rpc/confluenceservice-v2"): spaces + 2}
    assert not any("/permissions" in path for _, path in old_requests)
    assert {k: n for k, n in old_requests.items() if n > 1 and k not in rpc} == {}
