"""`SyncStats`: the typed row counts of a finished sync, from the store through the engine to the
command line's summary (issue 24). Expected counts come from the sample library's own data."""

from __future__ import annotations

import asyncio
from pathlib import Path

from baton_confluence.baton.c1z.stats import SyncStats
from baton_confluence.baton.runner.local_sync import sync_to_file
from baton_confluence.baton.sync.engine import SyncOptions, SyncResult
from baton_confluence.baton.sync.progress import SyncProgress
from baton_confluence.cli.summary import render
from tests.baton.sync.c1z_rows import latest_sync, open_c1z, table
from tests.baton.sync.library_connector import LibraryConnector, sample_library


def test_a_sync_result_carries_the_file_s_counts_as_a_typed_record(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    result = asyncio.run(sync_to_file(LibraryConnector(sample_library()), path, SyncOptions()))
    conn = open_c1z(path)
    sync_id = latest_sync(conn)
    resources = table(conn, "v1_resources", sync_id)
    grants = table(conn, "v1_grants", sync_id)
    by_type: dict[str, int] = {}
    for key in resources:
        by_type[key.split(":")[0]] = by_type.get(key.split(":")[0], 0) + 1
    assert isinstance(result.stats, SyncStats)
    assert result.stats.resources == len(resources) and result.stats.grants == len(grants)
    assert result.stats.entitlements == len(table(conn, "v1_entitlements", sync_id))
    assert {t: n for t, n in result.stats.resources_by_resource_type.items() if n} == by_type


def test_the_stored_shape_leaves_out_zeros_and_empty_maps_in_go_s_order() -> None:
    stats = SyncStats(resource_types=2, resources=3, resources_by_resource_type={"user": 2, "group": 1, "space": 0})
    assert list(stats.to_json_dict().items()) == [
        ("resource_types", 2),
        ("resources", 3),
        ("resources_by_resource_type", {"group": 1, "space": 0, "user": 2}),
    ]


def _result(stats: SyncStats, progress: SyncProgress) -> SyncResult:
    return SyncResult("sync-1", False, "full", progress, 1.0, 5, stats=stats)


def test_the_summary_shows_the_file_s_counts_even_when_they_are_zero() -> None:
    # Counts come from the file, not from this run's progress (the two differ after a resume). A
    # zero is shown as zero: the stored shape leaves zeros out, and a summary reading that shape
    # used to fall back to the progress figures.
    progress = SyncProgress(grants=7, entitlements=4)
    text = render(
        _result(SyncStats(resource_types=1, resources=1, resources_by_resource_type={"user": 1}), progress),
        Path("x.c1z"),
    )
    assert "  entitlements                     0" in text and "  grants                           0" in text
    assert "  user                             1" in text


def test_the_summary_falls_back_to_progress_when_the_stats_were_never_counted() -> None:
    progress = SyncProgress(grants=7, entitlements=4, expanded_grants=2)
    text = render(_result(SyncStats(), progress), Path("x.c1z"))
    assert "  entitlements                     4" in text
    assert "  grants                           7" in text and "  expanded grants                  2" in text
