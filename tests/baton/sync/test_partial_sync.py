"""Targeted (partial) syncs end to end: a test connector behind a real gRPC server, real c1z files.

Expected contents are written out from the sample library (tests/baton/sync/library_connector.py),
not derived from the engine's own output.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import grpc
import pytest

from baton_confluence.baton import pb
from baton_confluence.baton.c1z.reader import C1ZReader
from baton_confluence.baton.c1z.store import SyncStore
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.runner.local_sync import sync_to_file
from baton_confluence.baton.sync.client import SyncError
from baton_confluence.baton.sync.engine import SyncOptions
from baton_confluence.baton.sync.targets import SyncTarget
from baton_confluence.baton.syncer import ResourceGetter
from tests.baton.sync.c1z_rows import open_c1z, table
from tests.baton.sync.library_connector import Documents, LibraryConnector, Shelves, resource, sample_library


class FetchableShelves(Shelves, ResourceGetter):
    async def get(self, resource_id: pb.resource.ResourceId) -> pb.resource.Resource:
        self.faults.tick(f"get-shelf:{resource_id.resource}")
        listed = await self.list(None, "")
        return next(r for r in listed.items if r.id.resource == resource_id.resource)


class FetchableDocuments(Documents, ResourceGetter):
    async def get(self, resource_id: pb.resource.ResourceId) -> pb.resource.Resource:
        self.faults.tick(f"get-document:{resource_id.resource}")
        if resource_id.resource not in self.lib.documents:
            raise ConnectorError(grpc.StatusCode.NOT_FOUND, f"no document {resource_id.resource}")
        return resource("document", resource_id.resource)


class TargetableLibrary(LibraryConnector):
    """The sample library where shelves and documents can be fetched by id too."""

    def __init__(self) -> None:
        super().__init__(sample_library(), page_size=2)
        swap = {"shelf": FetchableShelves, "document": FetchableDocuments}
        self._syncers = [
            swap[s.resource_type().id](s.lib, s.page_size, s.faults, s.resource_type())  # type: ignore[attr-defined]
            if s.resource_type().id in swap
            else s
            for s in self._syncers
        ]


def sync(path: Path, *targets: SyncTarget, **options: object) -> TargetableLibrary:
    connector = TargetableLibrary()
    asyncio.run(sync_to_file(connector, path, SyncOptions(targets=targets, **options)))  # type: ignore[arg-type]
    return connector


def runs(conn: sqlite3.Connection) -> list[tuple[str, str, str, bool]]:
    """(sync_id, type, parent, finished) oldest first."""
    sql = "SELECT sync_id, sync_type, parent_sync_id, ended_at IS NOT NULL FROM v1_sync_runs ORDER BY id"
    return [(a, b, c, bool(d)) for a, b, c, d in conn.execute(sql)]


def partial_id(conn: sqlite3.Connection) -> str:
    (sync_id,) = [r[0] for r in runs(conn) if r[1] == "partial"]
    return sync_id


def test_a_targeted_document_is_a_partial_sync_beside_the_full_one(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    sync(path)
    connector = sync(path, SyncTarget("document", "d1"))
    conn = open_c1z(path)
    (full_id, full_type, _, _), (part_id, part_type, parent, finished) = runs(conn)
    assert (full_type, part_type, parent, finished) == ("full", "partial", full_id, True)
    assert sorted(table(conn, "v1_resources", part_id)) == ["document:d1"]
    assert sorted(table(conn, "v1_entitlements", part_id)) == ["document:d1:edit"]
    # d1 is edited by u1 directly and by team t1, whose members are not part of this sync.
    assert sorted(table(conn, "v1_grants", part_id)) == ["document:d1:edit:team:t1", "document:d1:edit:user:u1"]
    assert connector.faults.calls.get("get-document:d1") == 1
    assert "users" not in connector.faults.calls, "no listing runs in a partial sync"
    assert not any(call.startswith("get-user") for call in connector.faults.calls), "principals are not looked up"
    with C1ZReader.open(path) as reader:
        assert reader.sync_id == full_id, "readers still show the latest full sync"
        assert len(list(reader.resources())) == 15


def test_targets_with_children_static_entitlements_and_expansion(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    sync(path, SyncTarget("shelf", "s1"), SyncTarget("document", "d1"), SyncTarget("team", "t1"))
    conn = open_c1z(path)
    part_id = partial_id(conn)
    assert runs(conn)[0][2] == "", "no full sync to be the parent"
    assert sorted(table(conn, "v1_resources", part_id)) == [
        "book:b1",
        "book:b2",
        "book:b3",
        "document:d1",
        "shelf:s1",
        "team:t1",
    ]
    assert sorted(table(conn, "v1_entitlements", part_id)) == [
        "book:b1:reader",
        "book:b2:reader",
        "book:b3:reader",
        "document:d1:edit",
        "team:t1:member",
    ]
    # t1's members (u1, u2, u3) are synced, so d1's grant to t1 expands to them; u1 already
    # holds d1 directly and keeps one grant.
    assert sorted(table(conn, "v1_grants", part_id)) == [
        "document:d1:edit:team:t1",
        "document:d1:edit:user:u1",
        "document:d1:edit:user:u2",
        "document:d1:edit:user:u3",
        "team:t1:member:user:u1",
        "team:t1:member:user:u2",
        "team:t1:member:user:u3",
    ]


def test_skip_grants_keeps_entitlements(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    sync(path, SyncTarget("document", "d2"), skip_grants=True)
    conn = open_c1z(path)
    part_id = partial_id(conn)
    assert sorted(table(conn, "v1_entitlements", part_id)) == ["document:d2:edit"]
    assert table(conn, "v1_grants", part_id) == {}


def test_a_target_the_connector_cannot_find_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    connector = TargetableLibrary()
    options = SyncOptions(targets=(SyncTarget("document", "nope"), SyncTarget("document", "d3")))
    result = asyncio.run(sync_to_file(connector, path, options))
    assert result.sync_type == "partial"
    assert result.warnings == ["targeted resource document:nope: the connector could not fetch it (no document nope)"]
    conn = open_c1z(path)
    assert sorted(table(conn, "v1_resources", partial_id(conn))) == ["document:d3"]


def test_a_target_of_an_unknown_type_fails_the_sync(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    with pytest.raises(SyncError, match="cannot sync magazine:m1: the connector has no resource type 'magazine'") as err:
        sync(path, SyncTarget("magazine", "m1"))
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert not path.exists()


def test_retention_treats_a_partial_sync_as_the_sync_in_progress(tmp_path: Path) -> None:
    """Upstream's rule (docs/protocol.md §1.5): keep 2 full syncs counting the open one, whatever its
    type, and drop partial syncs that ended before the oldest kept full sync started."""
    path = tmp_path / "sync.c1z"

    def sync_ids() -> list[str]:
        return [sync_id for sync_id, *_ in runs(open_c1z(path))]

    sync(path)
    (full_a,) = sync_ids()
    sync(path, SyncTarget("document", "d1"))
    partial_1 = sync_ids()[-1]
    sync(path)
    full_b = sync_ids()[-1]
    sync(path)
    full_c = sync_ids()[-1]
    assert sync_ids() == [partial_1, full_b, full_c], "A dropped; P1 ended after A started, so it stays"
    sync(path, SyncTarget("document", "d2"))
    (_, _, parent_c, _), (partial_2, kind, parent, _) = runs(open_c1z(path))
    assert sync_ids() == [full_c, partial_2] and (kind, parent) == ("partial", full_c)
    assert full_a not in sync_ids() and parent_c == ""


@pytest.mark.parametrize("next_targets", [(SyncTarget("document", "d1"),), ()], ids=["partial", "full"])
def test_an_interrupted_partial_sync_is_dropped_by_the_next_sync(
    tmp_path: Path, next_targets: tuple[SyncTarget, ...]
) -> None:
    path = tmp_path / "sync.c1z"
    sync(path)
    store = SyncStore.open(path)
    abandoned, _ = store.start_partial_sync()
    store.put_resources([resource("document", "d9")])
    store.checkpoint("")
    store.close()  # as a killed run leaves it: the work db holds an unfinished partial sync
    sync(path, *next_targets)
    conn = open_c1z(path)
    ids = [sync_id for sync_id, *_ in runs(conn)]
    assert abandoned not in ids and len(ids) == 2
    assert conn.execute("SELECT count(*) FROM v1_resources WHERE sync_id = ?", (abandoned,)).fetchone() == (0,)
