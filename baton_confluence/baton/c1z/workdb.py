"""The uncompressed work database a sync writes into, next to its c1z.

`<c1z>.work.db` outlives a crashed or killed sync so the next run can resume it. It is
created by decoding the existing c1z (or from an empty schema) into `<c1z>.work.db.part`
and renaming, so a half-decoded file is never mistaken for a resumable one. The c1z itself
is only read here.

`<c1z>.work.db.seed` records which c1z the work db was decoded from (size, mtime, inode, or
"none"). A work db is only resumed while the c1z is still that file: if someone replaced or
removed the c1z in between, resuming would finalize stale syncs over the new file, so the
work db is discarded and the sync starts from the c1z as it is now.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

from baton_confluence.baton.c1z import container, db, schema

NEW_FILE_PAGE_SIZE = 16384


def work_path_for(c1z_path: Path) -> Path:
    return c1z_path.with_name(c1z_path.name + ".work.db")


def seed_path_for(work: Path) -> Path:
    return work.with_name(work.name + ".seed")


def compact_path_for(work: Path) -> Path:
    """Where `finalize` writes a compacted copy of the work db to compress (SyncStore.finalize)."""
    return work.with_name(work.name + ".compact")


def _identity(c1z_path: Path) -> str:
    """What tells this c1z apart from a replacement: size, mtime and inode ("none" if absent)."""
    try:
        st = c1z_path.stat()
    except FileNotFoundError:
        return "none"
    if st.st_size == 0:
        return "none"  # an empty file counts as no file (docs/protocol.md §1.2)
    return json.dumps([st.st_size, st.st_mtime_ns, st.st_ino])


def lock_path_for(c1z_path: Path) -> Path:
    return c1z_path.with_name(c1z_path.name + ".lock")


def open_work_db(c1z_path: Path) -> tuple[sqlite3.Connection, bool]:
    """Open (reusing when valid) or create the work db; returns (connection, reused)."""
    work = work_path_for(c1z_path)
    if work.exists():
        conn = _try_reuse(work) if _seeded_from(work) == _identity(c1z_path) else None
        if conn is not None:
            return conn, True
        remove_db_files(work)
    _build(c1z_path, work)
    conn = db.connect(work, writable=True)
    schema.ensure_schema(conn, with_deferrable=False)
    return conn, False


def _try_reuse(work: Path) -> sqlite3.Connection | None:
    # Opening rolls back a hot journal left by a killed process, restoring the last commit.
    conn = None
    try:
        conn = db.connect(work, writable=True)
        if schema.has_v1_tables(conn):
            schema.ensure_schema(conn, with_deferrable=False)
            return conn
    except sqlite3.DatabaseError:
        pass
    if conn is not None:
        conn.close()
    return None


def _seeded_from(work: Path) -> str | None:
    try:
        return seed_path_for(work).read_text()
    except OSError:
        return None


def _build(c1z_path: Path, work: Path) -> None:
    part = work.with_name(work.name + ".part")
    remove_db_files(part)
    seeded_from = _identity(c1z_path)
    if c1z_path.exists() and c1z_path.stat().st_size > 0:
        # The sync's own target, which it will replace: bounded by the disk, not the readers' cap
        # (container.DecodeLimit).
        limit = container.DecodeLimit.free_disk(part.parent)
        # The sync drops the deferrable indexes anyway (c1z/store.py): not built here.
        conn = db.decode_and_open(c1z_path, part, writable=True, limit=limit, with_deferrable=False)
    else:
        conn = db.connect(part, writable=True)
        # Grant rows are ~0.5 KiB; bigger pages mean shallower b-trees and fewer page writes
        # (about 15% faster bulk inserts). Readers take any page size.
        conn.execute(f"pragma page_size = {NEW_FILE_PAGE_SIZE}")
        schema.ensure_schema(conn, with_deferrable=False)
    db.close_cleanly(conn)
    seed_path_for(work).write_text(seeded_from)
    part.replace(work)
    container.fsync_dir(work.parent)


def remove_db_files(path: Path) -> None:
    for candidate in (
        path,
        Path(f"{path}-journal"),
        Path(f"{path}-wal"),
        Path(f"{path}-shm"),
        seed_path_for(path),
        compact_path_for(path),
    ):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
