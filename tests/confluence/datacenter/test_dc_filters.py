"""Space filters on Data Center: exactly the selected spaces, and only their grants."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec, datacenter_flavor
from confluence_simulator.state import Space

from tests.baton.sync.c1z_rows import latest_sync, open_c1z, table
from tests.confluence.datacenter.dc_expected import PAT, dc_env, expected_dc
from tests.e2e.cli import run_cli

SPEC = SiteSpec(
    seed=5,
    users=25,
    groups=6,
    spaces=14,
    permissions_per_space=8,
    personal_access_token=PAT,
    personal_space_fraction=0.3,
    archived_space_fraction=0.3,
)


@pytest.fixture(scope="module")
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC, flavor=datacenter_flavor("/wiki-dc")) as running:
        yield running


def sync_with(site: SimulatedSite, tmp_path: Path, **flags: str) -> tuple[set[str], set[str], set[str]]:
    env = dc_env(site) | {f"BATON_{name.upper()}": value for name, value in flags.items()}
    result = run_cli([], tmp_path, env)
    assert result.returncode == 0, result.stderr
    conn = open_c1z(tmp_path / "sync.c1z")
    sync_id = latest_sync(conn)
    resources = table(conn, "v1_resources", sync_id)
    grants = table(conn, "v1_grants", sync_id)
    entitlements = table(conn, "v1_entitlements", sync_id)
    spaces = {k.removeprefix("space:") for k in resources if k.startswith("space:")}
    return spaces, {g for g in grants if g.startswith("space:")}, {e for e in entitlements if e.startswith("space:")}


def check(site: SimulatedSite, got: tuple[set[str], set[str], set[str]], wanted: set[Space]) -> None:
    spaces, grants, entitlements = got
    want = expected_dc(site, lambda s: s in wanted)
    assert spaces == want.spaces == {str(s.id) for s in wanted}
    assert grants == want.direct_grants | want.expanded_grants
    assert {e.split(":")[1] for e in entitlements} == spaces


def test_include_list(site: SimulatedSite, tmp_path: Path) -> None:
    visible = sorted((s for s in site.state.spaces.values() if not s.hidden), key=lambda s: s.id)
    chosen = {visible[0], visible[3], visible[5]}
    got = sync_with(site, tmp_path, include_spaces=",".join(s.key for s in chosen))
    check(site, got, chosen)


def test_exclude_archived_and_personal(site: SimulatedSite, tmp_path: Path) -> None:
    visible = [s for s in site.state.spaces.values() if not s.hidden]
    excluded = next(s for s in visible if s.type != "personal" and s.status == "current")
    wanted = {s for s in visible if s is not excluded and s.status == "current" and s.type != "personal"}
    assert any(s.status == "archived" for s in visible) and any(s.type == "personal" for s in visible)
    got = sync_with(
        site, tmp_path, exclude_spaces=excluded.key, skip_archived_spaces="true", skip_personal_spaces="true"
    )
    check(site, got, wanted)


@pytest.mark.parametrize("unfiltered_include_archived", [False, True])
def test_archived_spaces_are_synced_by_default_and_skipped_on_request(
    tmp_path: Path, unfiltered_include_archived: bool
) -> None:
    """The listing asks for archived spaces by name, whatever an unfiltered listing returns."""
    spec = SiteSpec(**{**SPEC.__dict__, "spaces_unfiltered_include_archived": unfiltered_include_archived})
    with SimulatedSite(spec, flavor=datacenter_flavor("/wiki-dc")) as running:
        visible = {s for s in running.state.spaces.values() if not s.hidden}
        assert any(s.status == "archived" for s in visible)
        (tmp_path / "all").mkdir()
        (tmp_path / "current").mkdir()
        check(running, sync_with(running, tmp_path / "all"), visible)
        current = {s for s in visible if s.status == "current"}
        check(running, sync_with(running, tmp_path / "current", skip_archived_spaces="true"), current)
