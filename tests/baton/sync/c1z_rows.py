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


def sync_content(path: Path) -> dict[str, bytes]:
    """`<table>/<external_id>` -> data for the resources, entitlements and grants of the latest sync."""
    conn = open_c1z(path)
    sync_id = latest_sync(conn)
    out: dict[str, bytes] = {}
    for name in ("v1_resources", "v1_entitlements", "v1_grants"):
        out.update({f"{name}/{k}": v for k, v in table(conn, name, sync_id).items()})
    return out


def synced(path: Path) -> dict[str, dict[str, bytes]]:
    """{"resources"|"entitlements"|"grants": external_id -> data} for the latest sync."""
    conn = open_c1z(path)
    sync_id = latest_sync(conn)
    return {name: table(conn, f"v1_{name}", sync_id) for name in ("resources", "entitlements", "grants")}


def ids(rows: dict[str, bytes], prefix: str) -> set[str]:
    """The external ids starting with `prefix`, without it."""
    return {k[len(prefix) :] for k in rows if k.startswith(prefix)}
