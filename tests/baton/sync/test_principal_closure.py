"""Principal closure: every principal a grant names exists in the sync, or is named as unresolved.

The library connector's "site" knows users and a team that no listing returns; documents grant to
them and to ids the site does not know at all. Expectations are written from the library data.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from baton_confluence.baton.runner.local_sync import sync_to_file
from baton_confluence.baton.sync.client import SyncError
from baton_confluence.baton.sync.completeness import LOOKED_UP, NOT_FOUND
from baton_confluence.baton.sync.engine import SyncOptions, SyncResult
from tests.baton.sync.c1z_rows import ids, sync_content, synced
from tests.baton.sync.library_connector import Faults, Library, LibraryConnector


def library() -> Library:
    return Library(
        users=["u1", "u2", "u3"],
        teams={"t1": ["u1", "u2"]},
        shelves={},
        documents={
            "d1": {"users": ["u1", "u7", "ghost"], "teams": ["t1", "t9"]},
            "d2": {"users": ["u7"], "teams": ["t9", "nowhere"]},
        },
        unlisted_users=["u6", "u7"],
        unlisted_teams={"t9": ["u1", "u6"]},
    )


def run(connector: LibraryConnector, path: Path, **options: object) -> SyncResult:
    return asyncio.run(sync_to_file(connector, path, SyncOptions(**options)))  # type: ignore[arg-type]


def test_unlisted_principals_are_looked_up_once_and_grants_kept(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    connector = LibraryConnector(library(), page_size=1)
    result = run(connector, path, concurrency=8)
    rows = synced(path)
    # u7 named by two documents, t9 by two, u6 only as a member of the looked-up team t9
    assert ids(rows["resources"], "user:") == {"u1", "u2", "u3", "u6", "u7"}
    assert ids(rows["resources"], "team:") == {"t1", "t9"}
    calls = connector.faults.calls
    assert {k: v for k, v in calls.items() if k.startswith("get-")} == {
        "get-user:u7": 1,
        "get-user:ghost": 1,
        "get-user:u6": 1,
        "get-team:t9": 1,
        "get-team:nowhere": 1,
    }
    grants = set(rows["grants"])
    # nothing dropped: the grants to principals the site does not know are kept
    assert {"document:d1:edit:user:ghost", "document:d2:edit:team:nowhere"} <= grants
    # t9 was swept after its lookup: its members' grants exist and expansion reached u6
    assert {"team:t9:member:user:u1", "team:t9:member:user:u6", "document:d2:edit:user:u6"} <= grants
    counters = result.report.counters
    assert counters[f"{LOOKED_UP}.user"] == 2
    assert counters[f"{LOOKED_UP}.team"] == 1
    assert counters[f"{NOT_FOUND}.user"] == 1
    assert counters[f"{NOT_FOUND}.team"] == 1
    assert sorted(result.report.unresolved) == ["team:nowhere", "user:ghost"]
    assert counters["users.listed"] == 3  # the connector's own note, summed over its pages


@pytest.mark.parametrize("nth", [2, 5, 7])
def test_a_resumed_sync_has_the_same_content_and_report(tmp_path: Path, nth: int) -> None:
    clean = tmp_path / "clean.c1z"
    straight = run(LibraryConnector(library(), page_size=1), clean, concurrency=1)

    path = tmp_path / "sync.c1z"
    faults = Faults(method="document-grants", nth=nth, code=grpc.StatusCode.INTERNAL)
    with pytest.raises(SyncError, match="injected failure"):
        run(LibraryConnector(library(), page_size=1, faults=faults), path, checkpoint_interval=0.0, concurrency=1)
    resumed = run(LibraryConnector(library(), page_size=1, faults=faults), path, checkpoint_interval=0.0, concurrency=1)
    assert resumed.resumed
    assert sync_content(path) == sync_content(clean)
    assert resumed.report.to_json() == straight.report.to_json()
    assert resumed.stats.grants == straight.stats.grants
