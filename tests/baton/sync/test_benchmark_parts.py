"""The pieces the runtime benchmark stands on: the synthetic connector derives what it should,
the engine reports its phases, and the SQLite yardstick really writes the rows it times."""

from __future__ import annotations

import asyncio
from pathlib import Path

from baton_confluence.baton.runner.local_sync import sync_to_file
from baton_confluence.baton.sync.engine import SyncOptions
from benchmarks.sqlite_floor import sqlite_floor_seconds
from benchmarks.synthetic_connector import SyntheticConnector
from tests.baton.sync.c1z_rows import latest_sync, open_c1z


def test_synthetic_sync_derives_documents_times_team_size(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    connector = SyntheticConnector(users=60, teams=4, team_size=15, documents=10)
    result = asyncio.run(sync_to_file(connector, path, SyncOptions()))
    assert result.progress.grants == 4 * 15 + 10
    assert result.progress.expanded_grants == 10 * 15
    assert {"resources", "sweep", "expansion", "finish", "write c1z"} <= set(result.progress.phase_seconds)
    conn = open_c1z(path)
    derived = conn.execute(
        "select count(*) from v1_grants where sync_id = ? and entitlement_id like 'document:%' "
        "and principal_resource_type_id = 'user'",
        (latest_sync(conn),),
    ).fetchone()[0]
    assert derived == 150


def test_sqlite_floor_writes_every_row_and_times_each_step() -> None:
    floor = sqlite_floor_seconds(2000, data_bytes=100)
    assert floor.rows == 2000
    steps = (floor.insert, floor.compress)
    assert all(isinstance(seconds, float) and seconds >= 0 for seconds in steps)
    assert floor.total == sum(steps)  # the total is the steps, not a separate clock reading
