"""What the `site` resource type adds to a default sync: the same site synced twice by the real
CLI, with every type and with every type but `site`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from confluence_simulator import SimulatedSite

from tests.baton.sync.c1z_rows import synced
from tests.e2e.cli import run_cli

Rows = dict[str, dict[str, bytes]]


@dataclass
class SiteCost:
    extra_requests: dict[tuple[str, str], int]  # (method, path with query) -> how many more
    with_site: Rows  # each run's rows, the site's own (`site:...`) left out
    without_site: Rows


def cost_of_site_type(site: SimulatedSite, env: dict[str, str], other_types: str, tmp_path: Path) -> SiteCost:
    counts = {}
    rows: dict[str, Rows] = {}
    for name, extra in (("all", {}), ("no-site", {"BATON_SYNC_RESOURCE_TYPES": other_types})):
        work = tmp_path / name
        work.mkdir()
        site.reset_stats()
        result = run_cli([], work, env | extra)
        assert result.returncode == 0, result.stderr
        counts[name] = site.stats.snapshot().by_request
        rows[name] = {
            table: {k: v for k, v in found.items() if not k.startswith("site:")}
            for table, found in synced(work / "sync.c1z").items()
        }
    extra_requests = {k: n - counts["no-site"].get(k, 0) for k, n in counts["all"].items()}
    return SiteCost({k: n for k, n in extra_requests.items() if n}, rows["all"], rows["no-site"])
