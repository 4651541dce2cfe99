"""Reading a c1z in tests with plain zstd and SQL, independent of the project's own reader."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import zstandard


def open_c1z(path: Path) -> sqlite3.Connection:
    raw = path.read_bytes()
    assert raw[:5] == b"C1ZF\x00", raw[:5]
    db = zstandard.ZstdDecompressor().decompress(raw[5:])
    with tempfile.NamedTemporaryFile(suffix=".db", delete=False) as tmp:
        tmp.write(db)
    return sqlite3.connect(tmp.name)


def latest_sync(conn: sqlite3.Connection) -> str:
    row = conn.execute(
        "SELECT sync_id FROM v1_sync_runs WHERE ended_at IS NOT NULL AND sync_type='full' ORDER BY ended_at DESC, sync_id DESC"
    ).fetchone()
    assert row is not None
    return str(row[0])


def table(conn: sqlite3.Connection, name: str, sync_id: str) -> dict[str, bytes]:
    """external_id -> data for one sync."""
    return {
        ext: data for ext, data in conn.execute(f"SELECT external_id, data FROM {name} WHERE sync_id=?", (sync_id,))
    }
