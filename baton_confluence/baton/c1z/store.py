"""SyncStore: what the sync engine writes a c1z through.

Durability model. All writes go to `<c1z>.work.db`, an ordinary SQLite file with a
rollback journal. Between two checkpoints every write sits in one open transaction;
`checkpoint(token)` stores the engine's resume token and commits, so the committed state
is always "data up to token". A process killed at any moment (even `kill -9`) leaves a
hot journal that SQLite rolls back on the next open, and the next `open` +
`start_or_resume_sync` returns the same sync id and token. The existing c1z is only read
(to seed the work db) until `finalize()` renames a complete new file over it.

Speed and size. The four non-unique grant indexes are dropped while a sync writes, and never
built by it: expansion reads by entitlement through a partial index over the rows present when it
starts and the id ranges of the rows it writes, and drops the unique id index too when it can
(c1z/expansion_rows.py). Maintaining indexes row by row through the hundreds of thousands of rows
expansion writes costs more than the writes, and the c1z ships without any grant index at all
(`finalize`, docs/protocol.md §1.3): every reader builds them when it opens the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from baton_confluence.baton import pb
from baton_confluence.baton.c1z import container, db, retention, rows, schema, statements, stats
from baton_confluence.baton.c1z import sync_runs as runs
from baton_confluence.baton.c1z.errors import C1ZError
from baton_confluence.baton.c1z.expansion_rows import BASE_ROWS_INDEX, ExpansionRows, highest_grant_id
from baton_confluence.baton.c1z.holders import HolderTable
from baton_confluence.baton.c1z.lock import FileLock
from baton_confluence.baton.c1z.schema import ENTITLEMENTS, EXPANSION_INDEX, GRANTS, RESOURCE_TYPES, RESOURCES
from baton_confluence.baton.c1z.timefmt import now_str
from baton_confluence.baton.c1z.workdb import (
    compact_path_for,
    lock_path_for,
    open_work_db,
    remove_db_files,
    work_path_for,
)
from baton_confluence.baton.ksuid import new_ksuid

CHUNK = 5000  # rows per executemany; bounds the memory of one prepared batch
PAGE = 1000  # rows per read page; iterators re-query by rowid so callers may write between pages

ExpandedGrantRow = tuple[str, str, str, str, str, str, bytes, str, str]


class SyncStore:
    """The writer side of a c1z; one instance per sync run (see the module docstring)."""

    def __init__(self, c1z_path: Path, conn: sqlite3.Connection, lock: FileLock, *, reused: bool) -> None:
        self.c1z_path = c1z_path
        self.work_path = work_path_for(c1z_path)
        self.reused_work_db = reused
        self._conn: sqlite3.Connection | None = conn
        self._lock = lock
        self._sync_id: str | None = None
        self._expansion_index_ready = False
        self._expansion: ExpansionRows | None = None
        self._grants_closed = False  # expansion dropped the unique grant id index: no upsert works
        self._syncs_deleted = False  # retention deleted a sync: finalize compacts the file

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def open(cls, c1z_path: Path) -> SyncStore:
        """Lock `c1z_path` and open its work db (reused when a previous run left one)."""
        c1z_path = Path(c1z_path)
        if not c1z_path.parent.is_dir():
            raise C1ZError(f"{c1z_path}: directory {c1z_path.parent} does not exist; create it or choose another file")
        lock = FileLock.acquire(lock_path_for(c1z_path), c1z_path)
        try:
            conn, reused = open_work_db(c1z_path)
            schema.drop_deferrable_indexes(conn)
            conn.execute(f"drop index if exists {BASE_ROWS_INDEX}")
        except BaseException:
            lock.release()
            raise
        return cls(c1z_path, conn, lock, reused=reused)

    def __enter__(self) -> SyncStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def sync_id(self) -> str:
        if self._sync_id is None:
            raise RuntimeError("no sync started: call start_or_resume_sync() first")
        return self._sync_id

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError(f"the sync store for {self.c1z_path} is closed")
        return self._conn

    def start_or_resume_sync(self, sync_type: str = "full") -> tuple[str, str]:
        """(sync_id, saved token): the newest resumable sync of this type, or a new one with token ''."""
        if sync_type not in runs.SYNC_TYPES:
            raise ValueError(f"unknown sync type {sync_type!r}")
        found = runs.latest_unfinished(self.conn, sync_type)
        if found is not None:
            self._sync_id = found.id
            return found.id, found.sync_token
        sync_id = new_ksuid()
        self._begin()
        self._drop_abandoned_partial_syncs()
        runs.insert(self.conn, sync_id, sync_type)
        self._commit()
        self._sync_id = sync_id
        return sync_id, ""

    def start_partial_sync(self) -> tuple[str, str]:
        """(sync_id, '') of a new `partial` sync whose parent is the latest finished full sync.

        Targeted syncs never resume (docs/protocol.md §1.5: each starts a new partial sync).
        """
        self._begin()
        self._drop_abandoned_partial_syncs()
        parent = runs.latest_finished(self.conn, "full")
        sync_id = new_ksuid()
        runs.insert(self.conn, sync_id, "partial", parent.id if parent else "")
        self._commit()
        self._sync_id = sync_id
        return sync_id, ""

    def _drop_abandoned_partial_syncs(self) -> None:
        """Unfinished partial syncs an interrupted run left behind: nothing will ever finish them
        (targeted syncs never resume) and retention only removes finished syncs."""
        for run in runs.list_all(self.conn):
            if run.type == "partial" and not run.finished:
                retention.delete_sync(self.conn, run.id)

    def unsaved_finished_sync(self) -> str | None:
        """Id of a sync that ended in a reused work db but never reached the c1z.

        That happens when a run dies between end_sync() and the end of finalize(); the
        caller can simply finalize() again instead of starting over.
        """
        if not self.reused_work_db:
            return None
        newest = self.conn.execute(
            f"select sync_id, ended_at from {schema.SYNC_RUNS} order by id desc limit 1"
        ).fetchone()
        return newest[0] if newest and newest[1] is not None else None

    def checkpoint(self, token: str) -> None:
        """Save the engine's resume token and commit everything written so far."""
        self._begin()
        runs.set_token(self.conn, self.sync_id, token)
        self._commit()

    def end_sync(self) -> stats.SyncStats:
        """Mark the sync finished and store its stats JSON; returns the stats."""
        self._begin()
        runs.mark_ended(self.conn, self.sync_id)
        run = runs.get(self.conn, self.sync_id)
        token = run.sync_token if run else ""
        sync_type = run.type if run else "full"
        result = stats.compute(self.conn, self.sync_id, sync_type, token)
        runs.set_stats(self.conn, self.sync_id, stats.to_json(result))
        self._commit()
        return result

    def cleanup(self, keep: int | None = None) -> list[str]:
        """Apply retention (docs/protocol.md §1.5); returns the ids of the syncs deleted.

        The last write of a sync, just before `finalize`, which compacts the file they leave.

        `keep` counts finished full syncs including this one; None reads
        BATON_KEEP_SYNC_COUNT (default 2). BATON_SKIP_CLEANUP=true disables cleanup.
        """
        if retention.skipped_by_env():
            return []
        current = self._sync_id or ""
        limit = retention.resolve_limit(keep, current_sync_open=bool(current))
        doomed = retention.select_to_delete(runs.list_all(self.conn), current, limit)
        self._begin()
        for sync_id in doomed:
            retention.delete_sync(self.conn, sync_id)
        self._commit()
        self._syncs_deleted = self._syncs_deleted or bool(doomed)
        return doomed

    def finalize(self) -> None:
        """Write the c1z atomically from the work db, then remove the work db and unlock.

        The grant indexes are dropped first: the file ships without them (module docstring). A
        work db kept after a failed write gets its unique index back when it is reopened."""
        self._drop_indexes_readers_build()
        conn = self.conn
        self._conn = None
        compact = compact_path_for(self.work_path)
        try:
            try:
                source = self._compacted(conn, self.work_path, compact, always=self._syncs_deleted)
            finally:
                db.close_cleanly(conn)
            container.write_c1z(source, self.c1z_path)
        except (OSError, sqlite3.Error) as exc:
            self._lock.release()
            raise C1ZError(
                f"{self.c1z_path}: could not write the c1z ({exc}); the previous file is unchanged "
                "and the next sync resumes from the saved work"
            ) from None
        finally:
            compact.unlink(missing_ok=True)
        remove_db_files(self.work_path)
        self._lock.release()

    @staticmethod
    def _compacted(conn: sqlite3.Connection, work: Path, compact: Path, *, always: bool) -> Path:
        """The file to compress: the work db, or a compacted copy written beside it when `always`
        (retention deleted a sync) or when free pages (a deleted sync's, after a resume; the
        dropped indexes') are over a quarter of it.

        The c1z writer zeroes free pages (c1z/freelist.py), so they cost the c1z almost nothing,
        but they are decoded by every reader and carried into the next sync's work db. VACUUM
        INTO writes the copy once; an in-place VACUUM writes every page three times (a temporary
        copy, the rollback journal, the copy back).
        """
        pages = int(conn.execute("pragma page_count").fetchone()[0])
        free = int(conn.execute("pragma freelist_count").fetchone()[0])
        if not always and free * 4 <= pages:
            return work
        compact.unlink(missing_ok=True)
        conn.execute("vacuum into ?", (str(compact),))
        return compact

    def close(self) -> None:
        """Stop without writing the c1z; the work db stays (at the last checkpoint) for a resume."""
        if self._conn is None:
            return
        conn = self._conn
        self._conn = None
        try:
            if conn.in_transaction:
                conn.rollback()  # back to the last checkpoint, exactly what a crash would give
            db.close_cleanly(conn)
        finally:
            self._lock.release()

    def abandon(self) -> None:
        """Stop and delete the work db; the next sync starts from the existing c1z."""
        if self._conn is not None:
            conn = self._conn
            self._conn = None
            conn.rollback()
            conn.close()
        remove_db_files(self.work_path)
        self._lock.release()

    # ----------------------------------------------------------------- writes

    def put_resource_types(self, items: Iterable[pb.resource.ResourceType]) -> None:
        self._put(statements.UPSERT_RESOURCE_TYPE, rows.resource_type_rows, items)

    def put_resources(self, items: Iterable[pb.resource.Resource]) -> None:
        self._put(statements.UPSERT_RESOURCE, rows.resource_rows, items)

    def put_entitlements(self, items: Iterable[pb.entitlement.Entitlement]) -> None:
        self._put(statements.UPSERT_ENTITLEMENT, rows.entitlement_rows, items)

    def put_grants(self, items: Iterable[pb.grant.Grant]) -> None:
        """Upsert connector grants; GrantExpandable annotations move to the expansion column."""
        if self._grants_closed:
            raise RuntimeError("no connector grant can be written once expansion has started")
        self._put(statements.UPSERT_GRANT, rows.grant_rows, items)

    def insert_expanded_rows(self, entitlement_id: str, items: Iterable[ExpandedGrantRow]) -> None:
        """Write derived grants of `entitlement_id` given as (rt, rid, entitlement_id, ptype, pid,
        grant_id, data, sync_id, discovered_at): inserted, or during an expansion that kept the
        unique id index upserted (an existing row keeps its expansion columns; only `data` is
        replaced). The rows stream straight into executemany, so memory stays flat."""
        self._begin()
        with self.writing_derived(entitlement_id):
            upsert = self._expansion is None or self._expansion.upserts
            sql = statements.UPSERT_EXPANDED_GRANT if upsert else statements.INSERT_EXPANDED_GRANT
            self.conn.executemany(sql, items)

    @contextmanager
    def writing_derived(self, entitlement_id: str) -> Iterator[None]:
        """Around a statement writing derived grants of one entitlement: during an expansion, the ids
        it adds are recorded for later reads by entitlement (c1z/expansion_rows.py)."""
        scope = self._expansion
        if scope is None:
            yield
            return
        after = highest_grant_id(self.conn)
        yield
        scope.record(entitlement_id, after, highest_grant_id(self.conn))

    def derived_upserts(self) -> bool:
        """Whether derived grants must upsert: outside an expansion, or in one that kept the
        unique grant id index."""
        return self._expansion is None or self._expansion.upserts

    def update_grant_data(self, rowid: int, data: bytes) -> None:
        self._begin()
        self.conn.execute(statements.UPDATE_GRANT_DATA, (data, rowid))

    def _put(self, sql: str, make_rows: Any, items: Iterable[Any]) -> None:
        sync_id, now = self.sync_id, now_str()  # one timestamp per batch, as Go does
        self._begin()
        execute = self.conn.executemany
        for chunk in _chunks(items, CHUNK):
            execute(sql, make_rows(chunk, sync_id, now))

    # ----------------------------------------------------------------- reads (current sync)

    def iter_resource_types(self) -> Iterator[pb.resource.ResourceType]:
        for _, data in self._pages(f"select id, data from {RESOURCE_TYPES} where sync_id = ?", ()):
            yield pb.resource.ResourceType.FromString(data)

    def iter_resources(
        self, resource_type_id: str | None = None, after_rowid: int = 0, limit: int | None = None
    ) -> Iterator[tuple[int, pb.resource.Resource]]:
        """(rowid, Resource) in rowid order, optionally of one type and after a rowid."""
        where, params = _type_filter(resource_type_id)
        sql = f"select id, data from {RESOURCES} where sync_id = ?{where}"
        for rowid, data in self._pages(sql, params, after_rowid, limit):
            yield rowid, pb.resource.Resource.FromString(data)

    def count_resources(self, resource_type_id: str | None = None) -> int:
        where, params = _type_filter(resource_type_id)
        sql = f"select count(*) from {RESOURCES} where sync_id = ?{where}"
        return int(self.conn.execute(sql, (self.sync_id, *params)).fetchone()[0])

    def get_resource(self, resource_type: str, resource_id: str) -> pb.resource.Resource | None:
        row = self.conn.execute(
            f"select data from {RESOURCES} where resource_type_id = ? and external_id = ? and sync_id = ?",
            (resource_type, f"{resource_type}:{resource_id}", self.sync_id),
        ).fetchone()
        return None if row is None else pb.resource.Resource.FromString(row[0])

    def missing_resources(self, keys: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """The (resource type, resource id) pairs of `keys` that this sync holds no resource for."""
        wanted = {f"{rtype}:{rid}": (rtype, rid) for rtype, rid in keys}
        present: set[str] = set()
        names = list(wanted)
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"select external_id from {RESOURCES} where sync_id = ? and external_id in ({marks})"
            present.update(row[0] for row in self.conn.execute(sql, (self.sync_id, *chunk)))
        return [key for name, key in wanted.items() if name not in present]

    def iter_entitlements(
        self, resource_type_id: str | None = None, resource_id: str | None = None
    ) -> Iterator[pb.entitlement.Entitlement]:
        where, params = _type_filter(resource_type_id)
        if resource_id is not None:
            where, params = where + " and resource_id = ?", (*params, resource_id)
        sql = f"select id, data from {ENTITLEMENTS} where sync_id = ?{where}"
        for _, data in self._pages(sql, params):
            yield pb.entitlement.Entitlement.FromString(data)

    def get_entitlement(self, entitlement_id: str) -> pb.entitlement.Entitlement | None:
        row = self.conn.execute(
            f"select data from {ENTITLEMENTS} where external_id = ? and sync_id = ?",
            (entitlement_id, self.sync_id),
        ).fetchone()
        return None if row is None else pb.entitlement.Entitlement.FromString(row[0])

    # ----------------------------------------------------------------- expansion support

    def iter_expandable_grants(self) -> Iterator[tuple[int, pb.grant.Grant, pb.grant_annotations.GrantExpandable]]:
        """(rowid, grant without its annotation, GrantExpandable) for needs_expansion rows.

        Served by the partial needs_expansion index, which is never deferred."""
        sql = f"select id, data, expansion from {GRANTS} where sync_id = ? and needs_expansion = 1"
        for rowid, data, expansion in self._pages(sql, ()):
            yield (
                rowid,
                pb.grant.Grant.FromString(data),
                pb.grant_annotations.GrantExpandable.FromString(expansion or b""),
            )

    def iter_grant_rows_for_entitlement(self, entitlement_id: str) -> Iterator[tuple[int, str, str, bytes]]:
        """(rowid, principal type, principal id, data) of the grants of one entitlement."""
        for row in self._grants_of(entitlement_id, ", data"):
            yield row[0], row[1], row[2], row[3]

    def iter_grant_keys_for_entitlement(self, entitlement_id: str) -> Iterator[tuple[int, str, str]]:
        """(rowid, principal type, principal id) of the grants of one entitlement, without their data."""
        for row in self._grants_of(entitlement_id, ""):
            yield row[0], row[1], row[2]

    def _grants_of(self, entitlement_id: str, more_columns: str) -> Iterator[tuple[Any, ...]]:
        if self._expansion is not None:
            return self._expansion.grants_of(entitlement_id, more_columns)
        self._ensure_expansion_index()
        sql = (
            f"select id, principal_resource_type_id, principal_resource_id{more_columns} from {GRANTS} "
            "where sync_id = ? and entitlement_id = ?"
        )
        return self._pages(sql, (entitlement_id,))

    def grant_data(self, rowid: int) -> bytes:
        row = self.conn.execute(f"select data from {GRANTS} where id = ?", (rowid,)).fetchone()
        if row is None:
            raise KeyError(f"no grant row {rowid}")
        return bytes(row[0])

    def holder_table(self) -> HolderTable:
        """Scratch space for expansion, inside the current transaction (see c1z/holders.py)."""
        self._begin()
        return HolderTable(self.conn)

    def begin_expansion(self) -> None:
        """Reads by entitlement and derived writes without the grant indexes' upkeep, until
        `end_expansion` (c1z/expansion_rows.py); inside the current transaction."""
        self._begin()
        if self._expansion is None:
            self._expansion = ExpansionRows.start(self.conn, self.sync_id)
            self._grants_closed = self._grants_closed or not self._expansion.upserts

    def end_expansion(self) -> None:
        if self._expansion is not None:
            self._expansion.close()
            self._expansion = None

    # ----------------------------------------------------------------- internals

    def _begin(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("begin")

    def _commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("commit")

    def _drop_indexes_readers_build(self) -> None:
        """Drop the grant indexes the c1z ships without (module docstring); no grant can be
        written after this, as upserts need the unique index."""
        # Without secure_delete (some SQLite builds default to it) the freed pages are not zeroed
        # on disk: the c1z writer zeroes them in the stream instead (c1z/freelist.py).
        self.conn.execute("pragma secure_delete = off")
        self._begin()
        schema.drop_indexes_readers_build(self.conn)
        self._commit()
        self._expansion_index_ready = False

    def _ensure_expansion_index(self) -> None:
        """Expansion reads grants by entitlement; build only that deferred index for it, once.

        The other deferred grant indexes are never built by the sync (module docstring).
        """
        if not self._expansion_index_ready:
            self._begin()
            schema.create_index(self.conn, EXPANSION_INDEX)
            self._expansion_index_ready = True

    def _pages(
        self,
        sql: str,
        params: tuple[Any, ...],
        after_rowid: int = 0,
        limit: int | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Keyset pages of `sql` (whose first placeholder is `sync_id = ?`) in rowid order.

        Each page is fetched completely before rows are yielded, so callers can write to
        the database while iterating without disturbing an open statement.
        """
        paged = f"{sql} and id > ? order by id limit ?"
        remaining = -1 if limit is None else limit
        while remaining != 0:
            size = PAGE if remaining < 0 else min(PAGE, remaining)
            page = self.conn.execute(paged, (self.sync_id, *params, after_rowid, size)).fetchall()
            yield from page
            if len(page) < size:
                return
            after_rowid = page[-1][0]
            remaining = remaining - len(page) if remaining > 0 else remaining


def _type_filter(resource_type_id: str | None) -> tuple[str, tuple[str, ...]]:
    if resource_type_id is None:
        return "", ()
    return " and resource_type_id = ?", (resource_type_id,)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    if isinstance(items, list) and len(items) <= size:
        yield items  # the usual case, one page from the connector: no copying
        return
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
