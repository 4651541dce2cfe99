"""What SQLite alone needs to write N grant rows into the v1 schema, as a yardstick for this machine.

Pure SQL (no Python per row): rows of a given size, made beforehand in a scratch database (a temp
file, so the yardstick does not hold every row in memory; making them is not timed: SQL string
building costs as much as the insert), are copied into `v1_grants`
without any grant index, as a sync's expansion writes them (baton/c1z/expansion_rows.py), and the
file is compressed the way a c1z is (the rows' data is zeros, so that last step is a lower
bound). No sync can beat this on the same machine, so the expansion benchmark reports it beside
its own figure: the ratio says how much is ours and how much is the hardware.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from baton_confluence.baton.c1z import container, db, schema
from baton_confluence.baton.c1z.expansion_rows import UNIQUE_GRANT_ID_INDEX

_COLUMNS = """(resource_type_id, resource_id, entitlement_id, principal_resource_type_id,
    principal_resource_id, external_id, data, sync_id, discovered_at)"""
_MAKE_ROWS = f"""
with recursive n(i) as (select 0 union all select i + 1 from n where i < :rows - 1)
insert into made.rows {_COLUMNS}
select 'document', 'd' || (i / 500), 'document:d' || (i / 500) || ':edit', 'user', 'u' || (i % 500),
    'document:d' || (i / 500) || ':edit:user:u' || (i % 500), zeroblob(:size), :sync_id, :now
from n
"""


@dataclass(frozen=True)
class SqliteFloor:
    """Seconds SQLite took for each step, and how many rows the file held at the end."""

    rows: int
    insert: float
    compress: float

    @property
    def total(self) -> float:
        return self.insert + self.compress


def sqlite_floor_seconds(rows: int, data_bytes: int) -> SqliteFloor:
    """Time SQLite inserting `rows` grant rows and compressing the file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "floor.db"
        conn = db.connect(path, writable=True)
        schema.ensure_schema(conn, with_deferrable=False)
        conn.execute("attach '' as made")
        conn.execute(f"create table made.rows {_COLUMNS}")
        conn.execute(
            _MAKE_ROWS, {"rows": rows, "size": data_bytes, "sync_id": "2" * 27, "now": "2026-01-01 00:00:00.000000000"}
        )
        conn.execute("begin")
        started = time.monotonic()
        conn.execute(f"drop index {UNIQUE_GRANT_ID_INDEX}")
        conn.execute(f"insert into v1_grants {_COLUMNS} select * from made.rows")
        conn.execute("commit")
        inserted = time.monotonic()
        (written,) = conn.execute("select count(*) from v1_grants").fetchone()
        conn.execute("detach made")
        db.close_cleanly(conn)
        container.write_c1z(path, Path(tmp) / "floor.c1z")
        compressed = time.monotonic()
    return SqliteFloor(rows=int(written), insert=inserted - started, compress=compressed - inserted)
