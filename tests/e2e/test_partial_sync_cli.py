"""Targeted syncs and the storage-engine flags through the real command line against the simulated site."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec, SiteState

from baton_confluence.baton import pb
from tests.baton.sync.c1z_rows import open_c1z, table
from tests.e2e.cli import run_cli, site_env
from tests.e2e.expected import expected

SPEC = SiteSpec(seed=11, users=30, groups=6, spaces=10, permissions_per_space=12)
SPACES_API = "/wiki/api/v2/spaces"


@pytest.fixture(scope="module")
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC) as running:
        yield running


def a_space_with_group_grants(site: SimulatedSite) -> str:
    want = expected(site.state, search_cap=SPEC.search_cap)
    with_groups = sorted({g.split(":")[1] for g in want.direct_grants if ":group:" in g})
    assert with_groups, "the site spec must give some space a group permission"
    return with_groups[0]


def sync_runs(path: Path) -> list[tuple[str, str, str]]:
    conn = open_c1z(path)
    return list(conn.execute("SELECT sync_id, sync_type, parent_sync_id FROM v1_sync_runs ORDER BY id"))


def test_a_targeted_space_sync_is_partial_and_takes_a_handful_of_requests(site: SimulatedSite, tmp_path: Path) -> None:
    space = a_space_with_group_grants(site)
    site.reset_stats()
    full = run_cli([], tmp_path, site_env(site))
    assert full.returncode == 0, full.stderr
    full_requests = site.stats.snapshot().total_requests

    site.reset_stats()
    partial = run_cli(["--sync-resources", f"space:{space}"], tmp_path, site_env(site))
    assert partial.returncode == 0, partial.stderr
    assert "partial: only the resources given by --sync-resources" in partial.stdout
    seen = site.stats.snapshot()
    # Validate's one-item probes, the space itself, its permissions: nothing is listed.
    assert seen.by_request[("GET", f"{SPACES_API}/{space}")] == 1
    pages = [p for (_, p) in seen.by_request if "/permissions" in p and "limit=1&" not in p and not p.endswith("limit=1")]
    assert pages == [f"{SPACES_API}/{space}/permissions?limit=250"]
    assert seen.count("GET", f"{SPACES_API}?limit=250") == 0, "the space listing is not read"
    assert seen.total_requests <= 10 < full_requests

    (full_id, full_type, _), (part_id, part_type, parent) = sync_runs(tmp_path / "sync.c1z")
    assert (full_type, part_type, parent) == ("full", "partial", full_id)
    conn = open_c1z(tmp_path / "sync.c1z")
    assert sorted(table(conn, "v1_resources", part_id)) == [f"space:{space}"]
    want = expected(site.state, search_cap=SPEC.search_cap)
    direct = {g for g in want.direct_grants if g.startswith(f"space:{space}:")}
    assert set(table(conn, "v1_grants", part_id)) == direct, "the space's own grants; no group members to expand"

    shown = run_cli(["inspect", "stats", "-o", "json"], tmp_path, site_env(site))
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["sync_id"] == full_id, "inspect still shows the latest full sync"
    print(f"full sync: {full_requests} API requests; targeted sync of space {space}: {seen.total_requests}")


def test_upstreams_bid_form_names_the_same_space(site: SimulatedSite, tmp_path: Path) -> None:
    space = a_space_with_group_grants(site)
    result = run_cli(["--sync-resources", f"bid:r:space/{space}"], tmp_path, site_env(site))
    assert result.returncode == 0, result.stderr
    ((part_id, kind, parent),) = sync_runs(tmp_path / "sync.c1z")
    assert (kind, parent) == ("partial", "")
    assert sorted(table(open_c1z(tmp_path / "sync.c1z"), "v1_resources", part_id)) == [f"space:{space}"]


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--skip-grants"], "--skip-grants can only be set within a targeted sync: add --sync-resources"),
        (["--sync-resources", "space"], "--sync-resources: 'space' names no resource; expected <type>:<id> or bid:r:"),
        (["--storage-engine", "rocksdb"], "--storage-engine must be sqlite or pebble, not 'rocksdb'"),
        (["--c1z-temp-dir", "/nonexistent/scratch"], "--c1z-temp-dir /nonexistent/scratch is not an existing directory"),
    ],
)
def test_bad_flags_are_one_line_usage_errors(
    site: SimulatedSite, tmp_path: Path, args: list[str], complaint: str
) -> None:
    result = run_cli(args, tmp_path, site_env(site))
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and complaint in line
    assert not (tmp_path / "sync.c1z").exists()


@pytest.mark.parametrize("engine", ["sqlite", "pebble"])
def test_both_storage_engines_write_a_v1_file(site: SimulatedSite, tmp_path: Path, engine: str) -> None:
    result = run_cli(["--storage-engine", engine], tmp_path, site_env(site))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sync.c1z").read_bytes()[:5] == b"C1ZF\x00"
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    said = [e for e in events if e.get("event") == "storage_engine_pebble_not_written"]
    assert len(said) == (1 if engine == "pebble" else 0)
    if said:
        assert said[0]["written"] == "sqlite (c1z v1)" and "read v1" in said[0]["reason"]


def test_provisioning_after_a_targeted_sync_finds_ids_of_the_full_sync(site: SimulatedSite, tmp_path: Path) -> None:
    """The partial sync is the newest, but holds one space; another space's entitlement and a
    user are still found (in the full sync it sits beside)."""
    space = a_space_with_group_grants(site)
    other = next(s for s in sorted(expected(site.state, search_cap=SPEC.search_cap).spaces) if s != space)
    user = sorted(site.state.users)[0]
    assert run_cli([], tmp_path, site_env(site)).returncode == 0
    assert run_cli(["--sync-resources", f"space:{space}"], tmp_path, site_env(site)).returncode == 0
    entitlement = f"space:{other}:read-space"
    args = ["--grant-entitlement", entitlement, "--grant-principal-type", "user", "--grant-principal", user]
    result = run_cli(args, tmp_path, site_env(site))
    assert result.returncode == 0, result.stderr
    assert f"granted {entitlement} to user:{user}" in result.stdout


def test_a_targeted_group_sync_holds_the_group_and_its_members(site: SimulatedSite, tmp_path: Path) -> None:
    group = sorted(site.state.groups)[0]
    result = run_cli(["--sync-resources", f"group:{group}"], tmp_path, site_env(site))
    assert result.returncode == 0, result.stderr
    ((part_id, _, _),) = sync_runs(tmp_path / "sync.c1z")
    conn = open_c1z(tmp_path / "sync.c1z")
    assert sorted(table(conn, "v1_resources", part_id)) == [f"group:{group}"]
    assert sorted(table(conn, "v1_entitlements", part_id)) == [f"group:{group}:member"]
    members = {f"group:{group}:member:user:{m}" for m in site.state.groups[group].members}
    assert set(table(conn, "v1_grants", part_id)) == members


def test_in_rbac_mode_a_targeted_space_brings_its_role_bindings(tmp_path: Path) -> None:
    """The bindings are the space's children (ChildResourceType): listed, then their grants synced."""
    spec = SiteSpec(seed=11, users=30, groups=6, spaces=6, rbac_enabled=True)
    with SimulatedSite(spec) as site:
        space_id = max(site.state.spaces, key=lambda s: len(site.state.space_role_assignments(s)))
        held = site.state.space_role_assignments(space_id)
        assert held, "the site spec must assign some role in some space"
        space = str(space_id)
        result = run_cli(["--use-rbac", "--sync-resources", f"space:{space}"], tmp_path, site_env(site))
    assert result.returncode == 0, result.stderr
    ((part_id, _, _),) = sync_runs(tmp_path / "sync.c1z")
    conn = open_c1z(tmp_path / "sync.c1z")
    bindings = {f"space_role_assignment:{space}:{role}" for role in held.values()}
    assert set(table(conn, "v1_resources", part_id)) == {f"space:{space}", *bindings}
    assert set(table(conn, "v1_entitlements", part_id)) == {f"{b}:assigned" for b in bindings}
    pairs = set()
    for grant_id in table(conn, "v1_grants", part_id):
        kind, grant_space, role, slug, _ptype, principal = grant_id.split(":", 5)
        assert (kind, grant_space, slug) == ("space_role_assignment", space, "assigned"), grant_id
        pairs.add((role, principal))
    assert pairs == {(role, pid) for (_ptype, pid), role in held.items()}


def test_in_rbac_mode_a_targeted_space_is_fetched_once(tmp_path: Path) -> None:
    """The role bindings take the space's name from the fetch the target already made."""
    spec = SiteSpec(seed=11, users=30, groups=6, spaces=6, rbac_enabled=True)
    with SimulatedSite(spec) as site:
        space_id = max(site.state.spaces, key=lambda s: len(site.state.space_role_assignments(s)))
        assert site.state.space_role_assignments(space_id), "the site spec must assign some role in some space"
        space = str(space_id)
        result = run_cli(["--use-rbac", "--sync-resources", f"space:{space}"], tmp_path, site_env(site))
        fetched = site.stats.snapshot().by_request.get(("GET", f"{SPACES_API}/{space}"), 0)
    assert result.returncode == 0, result.stderr
    assert fetched == 1
    ((part_id, _, _),) = sync_runs(tmp_path / "sync.c1z")
    conn = open_c1z(tmp_path / "sync.c1z")
    bindings = {k: v for k, v in table(conn, "v1_resources", part_id).items() if k.startswith("space_role_assignment:")}
    assert bindings
    name = site.state.spaces[space_id].name
    for external_id, data in bindings.items():
        assert pb.resource.Resource.FromString(data).display_name.endswith(f" on {name}"), external_id


def _excluded_space(state: SiteState, flag: str) -> tuple[str, list[str]]:
    """A space of the site and the flags that leave it out through `flag`."""
    spaces = sorted(state.spaces.values(), key=lambda s: s.id)
    if flag == "--exclude-spaces":
        space = next(s for s in spaces if s.type != "personal")
        return str(space.id), [flag, space.key]
    if flag == "--include-spaces":
        space, other = [s for s in spaces if s.type != "personal"][:2]
        return str(space.id), [flag, other.key]
    if flag == "--skip-personal-spaces":
        return str(next(s for s in spaces if s.type == "personal").id), [flag]
    return str(next(s for s in spaces if s.status == "archived").id), [flag]


@pytest.mark.parametrize(
    "flag", ["--exclude-spaces", "--include-spaces", "--skip-personal-spaces", "--skip-archived-spaces"]
)
def test_a_targeted_sync_of_a_filtered_out_space_says_so(tmp_path: Path, flag: str) -> None:
    spec = SiteSpec(seed=11, users=20, groups=4, spaces=20, permissions_per_space=6)
    with SimulatedSite(spec) as site:
        space, filters = _excluded_space(site.state, flag)
        result = run_cli(["--sync-resources", f"space:{space}", *filters], tmp_path, site_env(site))
        seen = site.stats.snapshot()
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    (warning,) = [e for e in events if e.get("level") == "warning"]
    assert warning["event"] == "sync_step_skipped"
    assert f"space:{space}" in warning["reason"] and f"left out by {flag}" in warning["reason"], warning
    ((part_id, kind, _),) = sync_runs(tmp_path / "sync.c1z")
    assert kind == "partial"
    conn = open_c1z(tmp_path / "sync.c1z")
    assert table(conn, "v1_resources", part_id) == {}
    assert table(conn, "v1_grants", part_id) == {}
    read = [p for (_, p) in seen.by_request if p.startswith(f"{SPACES_API}/{space}/") and not p.endswith("limit=1")]
    assert read == [], "nothing read for it (Validate's one-item probes aside)"
