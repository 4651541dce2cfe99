"""Finding the grants of an entitlement while expansion writes (docs/protocol.md §1.3, §2.2).

Expansion reads the grants of one entitlement at a time (a source's holders, a destination's
current holders) while it writes hundreds of thousands of derived grants. Keeping the grant
table's by-entitlement and unique-id indexes up to date under those writes took a third of a
benchmark sync's time, and both indexes are dropped before the c1z is written anyway (§1.3). So,
for the length of one expansion (one transaction: a killed or stopped expansion rolls all of
this back, the dropped index included):

* The rows present when it starts are found through a partial index over the current sync's
  rows of that moment only, `id between first and base`. Derived rows, whose ids are higher,
  never touch it; nor do the rows of older syncs that a work db seeded from the previous c1z
  holds, which the full index had to sort on every sync.
* Every statement that writes derived grants writes those of one entitlement, so the ids it
  adds, (highest id before, highest id after], are recorded against that entitlement in a temp
  table, and read back as rowid ranges.
* The unique (external_id, sync_id) index is dropped when every grant of the sync has the id
  `<entitlement>:<principal type>:<principal id>`, which derived grants have too. Expansion
  derives a grant only for a principal holding no grant of that entitlement
  (`baton/sync/expansion.py`), so no derived id can equal one already written and no upsert is
  needed; the sync writes no grant after expansion. A sync with any other grant id keeps the
  index, and derived grants keep upserting, as upstream's do.

Row ids grow: a new row gets the highest id plus one (`id integer primary key`, no
AUTOINCREMENT), so the current sync's rows have higher ids than every older sync's row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from baton_confluence.baton.c1z.schema import GRANTS

# Not a name any reader uses: a work db that still has it (it never reaches a committed state
# or a c1z) gets it dropped on open (`SyncStore.open`).
BASE_ROWS_INDEX = "work_expansion_base_rows"
UNIQUE_GRANT_ID_INDEX = "idx_grants_external_sync_v1"
_RANGES_TABLE = "expansion_ranges"
RANGES = f"temp.{_RANGES_TABLE}"
_PAGE = 1000


def highest_grant_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute(f"select coalesce(max(id), 0) from {GRANTS}").fetchone()[0])


def first_grant_id_of(conn: sqlite3.Connection, sync_id: str, highest: int) -> int:
    """The lowest id of a grant of `sync_id`, or `highest + 1` when it has none: a binary search
    over ids, as every older sync's rows lie below the current sync's (module docstring)."""
    lo, hi = 1, highest + 1  # the answer is in [lo, hi]; hi means "none"
    probe = f"select id, sync_id from {GRANTS} where id >= ? order by id limit 1"
    while lo < hi:
        mid = (lo + hi) // 2
        row = conn.execute(probe, (mid,)).fetchone()
        if row is not None and row[1] == sync_id:
            hi = mid
        else:
            lo = mid + 1
    row = conn.execute(probe, (lo,)).fetchone()
    return int(row[0]) if row is not None and row[1] == sync_id else highest + 1


@dataclass
class ExpansionRows:
    """The store's by-entitlement reads and derived-row bookkeeping during one expansion."""

    conn: sqlite3.Connection
    sync_id: str
    first: int  # the current sync's rows present at the start: ids first..base
    base: int
    upserts: bool  # the unique id index was kept: derived grants must upsert

    @classmethod
    def start(cls, conn: sqlite3.Connection, sync_id: str) -> ExpansionRows:
        """Set up inside the caller's open transaction."""
        base = highest_grant_id(conn)
        first = first_grant_id_of(conn, sync_id, base)
        # Literal bounds: SQLite uses a partial index only for a query repeating its terms.
        conn.execute(f"drop index if exists {BASE_ROWS_INDEX}")
        conn.execute(
            f"create index {BASE_ROWS_INDEX} on {GRANTS} (entitlement_id, sync_id, id) "
            f"where id >= {first} and id <= {base}"
        )
        conn.execute(f"drop table if exists {RANGES}")
        conn.execute(
            f"create temp table {_RANGES_TABLE} (entitlement_id text not null, "
            "after integer not null, last integer not null)"
        )
        conn.execute(f"create index temp.{_RANGES_TABLE}_by_entitlement on {_RANGES_TABLE} (entitlement_id)")
        canonical = _all_ids_canonical(conn, sync_id, first, base)
        if canonical:
            conn.execute(f"drop index if exists {UNIQUE_GRANT_ID_INDEX}")
        return cls(conn, sync_id, first, base, upserts=not canonical)

    def record(self, entitlement_id: str, after: int, last: int) -> None:
        """Rows after..last (exclusive, inclusive) were just written, all grants of `entitlement_id`."""
        if last > after:
            self.conn.execute(f"insert into {RANGES} values (?, ?, ?)", (entitlement_id, after, last))

    def grants_of(self, entitlement_id: str, more_columns: str) -> Iterator[tuple[object, ...]]:
        """(id, principal type, principal id, *more_columns) of the entitlement's grants in id order,
        read a page at a time so that the caller may write between pages."""
        columns = f"id, principal_resource_type_id, principal_resource_id{more_columns}"
        before = (
            f"select {columns} from {GRANTS} where id > ? and entitlement_id = ? and sync_id = ? "
            f"and id >= {self.first} and id <= {self.base} order by id limit {_PAGE}"
        )
        yield from self._pages(before, (entitlement_id, self.sync_id), self.first - 1)
        ranges = self.conn.execute(
            f"select after, last from {RANGES} where entitlement_id = ? order by after", (entitlement_id,)
        ).fetchall()
        derived = (
            f"select {columns} from {GRANTS} where id > ? and id <= ? and entitlement_id = ? and sync_id = ? "
            f"order by id limit {_PAGE}"
        )
        for after, last in ranges:
            yield from self._pages(derived, (last, entitlement_id, self.sync_id), after)

    def _pages(self, sql: str, params: tuple[object, ...], after: int) -> Iterator[tuple[object, ...]]:
        """Keyset pages; the first placeholder of `sql` is the id to read after."""
        while True:
            page = self.conn.execute(sql, (after, *params)).fetchall()
            yield from page
            if len(page) < _PAGE:
                return
            after = int(page[-1][0])

    def close(self) -> None:
        self.conn.execute(f"drop index if exists {BASE_ROWS_INDEX}")
        self.conn.execute(f"drop table if exists {RANGES}")


def _all_ids_canonical(conn: sqlite3.Connection, sync_id: str, first: int, base: int) -> bool:
    """Whether every grant of the sync so far has the id its entitlement and principal give it."""
    odd = conn.execute(
        f"select 1 from {GRANTS} where id >= ? and id <= ? and sync_id = ? and external_id != "
        "entitlement_id || ':' || principal_resource_type_id || ':' || principal_resource_id limit 1",
        (first, base, sync_id),
    ).fetchone()
    return odd is None
