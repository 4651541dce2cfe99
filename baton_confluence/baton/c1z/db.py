"""Opening the SQLite database inside a c1z: connection settings, and refusing a payload that is not SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from baton_confluence.baton.c1z import container, schema
from baton_confluence.baton.c1z.errors import C1ZError

# A moderate page cache keeps the hot index pages in memory; it is also the ceiling on the
# store's share of the sync's memory, which must stay bounded however many grants a site has.
# Temporary b-trees (index builds, sorts) go to disk for the same reason.
_CACHE_KIB = 8 * 1024


def connect(path: Path, *, writable: bool) -> sqlite3.Connection:
    """A connection in autocommit mode; callers BEGIN/COMMIT explicitly.

    Writable: a rollback journal (TRUNCATE) so a killed process leaves a hot journal that
    SQLite rolls back on the next open, and the main file is always self-contained.
    Read-only use (a private temp copy) turns journaling off entirely.
    """
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"pragma cache_size = -{_CACHE_KIB}")
    conn.execute("pragma temp_store = file")
    if writable:
        conn.execute("pragma journal_mode = truncate")
        # The work db is scratch space: a killed process loses nothing that the OS has been
        # handed, and a power cut at worst costs the resume (a damaged work db is discarded and
        # the sync starts over). The c1z itself is fsynced when it is written.
        conn.execute("pragma synchronous = off")
    else:
        conn.execute("pragma journal_mode = off")
        conn.execute("pragma synchronous = off")
    return conn


def open_decoded(c1z_path: Path, db_path: Path, *, writable: bool, with_deferrable: bool = True) -> sqlite3.Connection:
    """Open a database just decoded from `c1z_path`, check it is a v1 store, migrate it and build
    its missing indexes (a c1z ships without its grant indexes, docs/protocol.md §1.3);
    `with_deferrable=False` leaves out those a sync builds only when it needs them."""
    try:
        conn = connect(db_path, writable=writable)
    except sqlite3.DatabaseError as exc:
        raise _not_sqlite(c1z_path, exc) from None
    try:
        if not schema.has_v1_tables(conn):
            raise C1ZError(
                f"{c1z_path}: c1z holds a SQLite database without Baton v1_ tables; "
                "pass a .c1z file written by a Baton sync"
            )
        schema.ensure_schema(conn, with_deferrable=with_deferrable)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _not_sqlite(c1z_path, exc) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _not_sqlite(c1z_path: Path, exc: Exception) -> C1ZError:
    return C1ZError(
        f"{c1z_path}: c1z payload is not a valid SQLite database ({exc}); the file is damaged, re-run the sync"
    )


def decode_and_open(
    c1z_path: Path,
    db_path: Path,
    *,
    writable: bool,
    limit: container.DecodeLimit,
    with_deferrable: bool = True,
) -> sqlite3.Connection:
    """Decompress `c1z_path` into `db_path` within `limit` and open it (see `open_decoded`);
    removes `db_path` on failure."""
    container.decompress_c1z(c1z_path, db_path, limit)
    try:
        return open_decoded(c1z_path, db_path, writable=writable, with_deferrable=with_deferrable)
    except BaseException:
        db_path.unlink(missing_ok=True)
        raise


def close_cleanly(conn: sqlite3.Connection) -> None:
    """Close so that no -journal/-wal file is left next to the database."""
    if conn.in_transaction:
        conn.commit()
    # DELETE mode removes the (empty) journal file that TRUNCATE mode keeps around.
    conn.execute("pragma journal_mode = delete")
    conn.close()
