"""Validate through the real command line: findings are printed once and the sync goes on."""

from __future__ import annotations

import json
from pathlib import Path

from confluence_simulator import SimulatedSite, SiteSpec, datacenter_flavor

from tests.baton.sync.c1z_rows import latest_sync, open_c1z, table
from tests.confluence.datacenter.dc_expected import PAT, dc_env, expected_dc
from tests.e2e.cli import run_cli, site_env

SPEC = SiteSpec(seed=9, users=15, groups=5, spaces=6, permissions_per_space=5)


def findings(stderr: str) -> list[str]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [line["finding"] for line in lines if line.get("event") == "confluence_validate_finding"]


def test_cloud_sync_reports_partial_visibility_and_fetches_no_url_twice(tmp_path: Path) -> None:
    with SimulatedSite(SiteSpec(**{**SPEC.__dict__, "hidden_space_fraction": 0.3})) as site:
        result = run_cli([], tmp_path, site_env(site))
        repeated = {k: n for k, n in site.stats.snapshot().by_request.items() if n > 1}
    assert result.returncode == 0, result.stderr
    (line,) = findings(result.stderr)
    assert line.startswith("the account is not a Confluence administrator")
    assert repeated == {}  # Validate's probes (limit=1) are never the sync's own URLs


def test_dc_before_9_1_syncs_space_permissions_through_the_remote_api(tmp_path: Path) -> None:
    spec = SiteSpec(**{**SPEC.__dict__, "personal_access_token": PAT, "server_version": "8.9.0"})
    with SimulatedSite(spec, flavor=datacenter_flavor()) as site:
        result = run_cli([], tmp_path, dc_env(site))
        want = expected_dc(site)
    assert result.returncode == 0, result.stderr
    assert findings(result.stderr) == []
    conn = open_c1z(tmp_path / "sync.c1z")
    sync_id = latest_sync(conn)
    resources, grants = table(conn, "v1_resources", sync_id), table(conn, "v1_grants", sync_id)
    assert {k.removeprefix("space:") for k in resources if k.startswith("space:")} == want.spaces
    assert {g for g in grants if g.startswith("group:")} == want.member_grants
    assert {g for g in grants if g.startswith("space:")} == want.direct_grants | want.expanded_grants


def test_dc_before_9_1_with_the_remote_api_off_fails_in_one_line(tmp_path: Path) -> None:
    spec = SiteSpec(
        **{**SPEC.__dict__, "personal_access_token": PAT, "server_version": "8.9.0", "remote_api_enabled": False}
    )
    with SimulatedSite(spec, flavor=datacenter_flavor()) as site:
        result = run_cli([], tmp_path, dc_env(site))
    assert result.returncode != 0
    line = result.stderr.strip().splitlines()[-1]
    assert "space permissions cannot be read" in line and "answered 403" in line
    assert "Remote API (XML-RPC & SOAP)" in line and "9.1" in line
