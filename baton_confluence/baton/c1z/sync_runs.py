"""Rows of `v1_sync_runs`: one per sync, and the queries that pick a sync (docs/protocol.md §1.5, §1.6)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from baton_confluence.baton.c1z import timefmt
from baton_confluence.baton.c1z.schema import SYNC_RUNS

# Upstream never resumes a sync that started more than a week ago; it is abandoned work.
RESUME_MAX_AGE_SECONDS = 7 * 24 * 3600

SYNC_TYPES = ("full", "partial", "resources_only", "partial_upserts", "partial_deletions")

_COLUMNS = "sync_id, sync_type, started_at, ended_at, sync_token, parent_sync_id, linked_sync_id, supports_diff, stats"


@dataclass(frozen=True)
class SyncRun:
    id: str
    type: str
    started_at: str
    ended_at: str | None
    sync_token: str
    parent_sync_id: str
    linked_sync_id: str
    supports_diff: bool
    stats: dict[str, Any] | None

    @property
    def finished(self) -> bool:
        return self.ended_at is not None


def _from_row(row: tuple[Any, ...]) -> SyncRun:
    sync_id, sync_type, started, ended, token, parent, linked, diff, stats = row
    return SyncRun(
        id=sync_id,
        type=sync_type or "full",
        started_at=str(started),
        ended_at=None if ended is None else str(ended),
        sync_token=token or "",
        parent_sync_id=parent or "",
        linked_sync_id=linked or "",
        supports_diff=bool(diff),
        stats=parse_stats(stats),
    )


def parse_stats(text: str | bytes | None) -> dict[str, Any] | None:
    """The stored stats JSON, or None when absent or unreadable (readers then recompute)."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def insert(conn: sqlite3.Connection, sync_id: str, sync_type: str, parent_sync_id: str = "") -> None:
    # grants_backfilled=1: we strip GrantExpandable ourselves, so Go's backfill must skip us;
    # supports_diff=1: the expansion columns are populated the way diff readers expect.
    conn.execute(
        f"insert into {SYNC_RUNS} (sync_id, started_at, sync_token, sync_type, parent_sync_id, "
        "linked_sync_id, supports_diff, grants_backfilled) values (?, ?, '', ?, ?, '', 1, 1)",
        (sync_id, timefmt.now_str(), sync_type, parent_sync_id),
    )


def get(conn: sqlite3.Connection, sync_id: str) -> SyncRun | None:
    row = conn.execute(f"select {_COLUMNS} from {SYNC_RUNS} where sync_id = ?", (sync_id,)).fetchone()
    return None if row is None else _from_row(row)


def list_all(conn: sqlite3.Connection) -> list[SyncRun]:
    """Every sync, oldest first (by rowid, the order Go's retention policy relies on)."""
    return [_from_row(r) for r in conn.execute(f"select {_COLUMNS} from {SYNC_RUNS} order by id")]


def latest_finished(
    conn: sqlite3.Connection, sync_type: str | None, *, before: SyncRun | None = None
) -> SyncRun | None:
    """Newest finished sync (of `sync_type`, or any type when None); KSUID breaks ended_at ties.
    With `before`, the newest one that comes before that sync in the same order."""
    where = "ended_at is not null" + ("" if sync_type is None else " and sync_type = ?")
    params: tuple[str, ...] = () if sync_type is None else (sync_type,)
    if before is not None:
        where += " and sync_id != ? and (ended_at < ? or (ended_at = ? and sync_id < ?))"
        params += (before.id, before.ended_at or "", before.ended_at or "", before.id)
    row = conn.execute(
        f"select {_COLUMNS} from {SYNC_RUNS} where {where} order by ended_at desc, sync_id desc limit 1",
        params,
    ).fetchone()
    return None if row is None else _from_row(row)


def latest_unfinished(conn: sqlite3.Connection, sync_type: str | None) -> SyncRun | None:
    """Newest sync that never ended and started within the resume window."""
    where = "ended_at is null and started_at >= ?" + ("" if sync_type is None else " and sync_type = ?")
    cutoff = timefmt.ago_str(RESUME_MAX_AGE_SECONDS)
    params: tuple[str, ...] = (cutoff,) if sync_type is None else (cutoff, sync_type)
    row = conn.execute(
        f"select {_COLUMNS} from {SYNC_RUNS} where {where} order by started_at desc limit 1", params
    ).fetchone()
    return None if row is None else _from_row(row)


def set_token(conn: sqlite3.Connection, sync_id: str, token: str) -> None:
    conn.execute(f"update {SYNC_RUNS} set sync_token = ? where sync_id = ?", (token, sync_id))


def mark_ended(conn: sqlite3.Connection, sync_id: str) -> None:
    conn.execute(
        f"update {SYNC_RUNS} set ended_at = ? where sync_id = ? and ended_at is null",
        (timefmt.now_str(), sync_id),
    )


def set_stats(conn: sqlite3.Connection, sync_id: str, stats_json: str) -> None:
    conn.execute(f"update {SYNC_RUNS} set stats = ? where sync_id = ?", (stats_json, sync_id))
