"""How the store finds grants by entitlement while expansion writes (c1z/expansion_rows.py).

The rows present at the start are read through a partial index over the current sync's rows
only; derived rows through the id ranges recorded as they are written; the unique grant id index
is dropped only when every grant id is `<entitlement>:<type>:<id>`; and all of it is rolled back
with the expansion's transaction. Expected rows are worked out here from what each test wrote.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from c1z_helpers import entitlement, grant, resource

from baton_confluence.baton import pb
from baton_confluence.baton.c1z import SyncStore
from baton_confluence.baton.c1z.expansion_rows import (
    BASE_ROWS_INDEX,
    UNIQUE_GRANT_ID_INDEX,
    first_grant_id_of,
    highest_grant_id,
)

SPACE = resource("space", "s1")
READ = entitlement(SPACE, "read")
WRITE = entitlement(SPACE, "write")
WHEN = "2026-01-01 00:00:00.000000000"


def _indexes(store: SyncStore) -> set[str]:
    return {row[0] for row in store.conn.execute("select name from sqlite_master where type = 'index'")}


def _derived_row(store: SyncStore, ent: pb.entitlement.Entitlement, user: str) -> tuple[str, ...]:
    g = grant(ent, resource("user", user))
    return ("space", "s1", ent.id, "user", user, g.id, g.SerializeToString(), store.sync_id, WHEN)  # type: ignore[return-value]


def _users_of(store: SyncStore, ent: pb.entitlement.Entitlement) -> list[str]:
    return [pid for _rowid, _ptype, pid in store.iter_grant_keys_for_entitlement(ent.id)]


def test_first_grant_id_of_a_sync_is_found_among_gaps_and_older_syncs(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "ids.db")
    conn.execute("create table v1_grants (id integer primary key, sync_id text not null)")
    conn.executemany("insert into v1_grants values (?, ?)", [(i, "old") for i in range(1, 400)])
    conn.executemany("insert into v1_grants values (?, ?)", [(i, "new") for i in range(400, 700)])
    conn.execute("delete from v1_grants where id between 380 and 420")  # gaps either side of the border
    conn.execute("delete from v1_grants where id % 7 = 0")
    highest = highest_grant_id(conn)
    expected = min(i for i in range(421, 700) if i % 7)
    assert first_grant_id_of(conn, "new", highest) == expected
    assert first_grant_id_of(conn, "none", highest) == highest + 1
    assert first_grant_id_of(conn, "old", highest) == 1
    conn.close()


def test_reads_by_entitlement_see_the_rows_before_and_every_derived_range(store: SyncStore) -> None:
    store.put_grants([grant(READ, resource("user", "a")), grant(WRITE, resource("user", "b"))])
    store.begin_expansion()
    store.insert_expanded_rows(READ.id, [_derived_row(store, READ, "c"), _derived_row(store, READ, "d")])
    store.insert_expanded_rows(WRITE.id, [_derived_row(store, WRITE, "e")])
    store.insert_expanded_rows(READ.id, [_derived_row(store, READ, "f")])
    assert _users_of(store, READ) == ["a", "c", "d", "f"]
    assert _users_of(store, WRITE) == ["b", "e"]
    store.end_expansion()
    assert _users_of(store, READ) == ["a", "c", "d", "f"]  # through the full index again


def test_rows_before_are_read_through_the_partial_index_not_a_scan(store: SyncStore) -> None:
    store.put_grants([grant(READ, resource("user", u)) for u in ("a", "b")])
    store.begin_expansion()
    expansion = store._expansion
    assert expansion is not None
    plan = " ".join(
        str(row[-1])
        for row in store.conn.execute(
            "explain query plan select id from v1_grants where id > ? and entitlement_id = ? and sync_id = ? "
            f"and id >= {expansion.first} and id <= {expansion.base} order by id limit 10",
            (0, READ.id, store.sync_id),
        )
    )
    assert BASE_ROWS_INDEX in plan, plan
    store.end_expansion()
    assert BASE_ROWS_INDEX not in _indexes(store)


def test_the_partial_index_leaves_out_an_older_sync_s_rows(c1z_path: Path) -> None:
    with SyncStore.open(c1z_path) as first:
        first.start_or_resume_sync()
        first.put_grants([grant(READ, resource("user", u)) for u in ("a", "b", "c")])
        first.end_sync()
        first.cleanup()
        first.finalize()
    with SyncStore.open(c1z_path) as second:
        second.start_or_resume_sync()
        second.put_grants([grant(READ, resource("user", "z"))])
        second.begin_expansion()
        expansion = second._expansion
        assert expansion is not None
        indexed = second.conn.execute(
            f"select count(*) from v1_grants indexed by {BASE_ROWS_INDEX} "
            f"where id >= {expansion.first} and id <= {expansion.base}"
        ).fetchone()[0]
        assert indexed == 1
        assert _users_of(second, READ) == ["z"]
        second.end_expansion()


def test_canonical_ids_drop_the_unique_index_and_connector_grants_are_then_refused(store: SyncStore) -> None:
    store.put_grants([grant(READ, resource("user", "a"))])
    store.begin_expansion()
    assert UNIQUE_GRANT_ID_INDEX not in _indexes(store)
    assert not store.derived_upserts()
    with pytest.raises(RuntimeError, match="expansion has started"):
        store.put_grants([grant(WRITE, resource("user", "b"))])


def test_another_grant_id_keeps_the_unique_index_and_derived_grants_upsert(store: SyncStore) -> None:
    odd = grant(READ, resource("user", "a"))
    odd.id = "custom-grant-id"
    store.put_grants([odd, grant(WRITE, resource("user", "b"))])
    store.begin_expansion()
    assert UNIQUE_GRANT_ID_INDEX in _indexes(store)
    assert store.derived_upserts()
    again = _derived_row(store, WRITE, "b")  # the same id as the connector's grant: an upsert
    store.insert_expanded_rows(WRITE.id, [again])
    count = store.conn.execute("select count(*) from v1_grants where entitlement_id = ?", (WRITE.id,)).fetchone()[0]
    assert count == 1
    store.put_grants([grant(WRITE, resource("user", "c"))])  # still allowed: nothing was dropped


def test_an_unfinished_expansion_rolls_back_to_the_indexes_of_the_last_checkpoint(c1z_path: Path) -> None:
    store = SyncStore.open(c1z_path)
    store.start_or_resume_sync()
    store.put_grants([grant(READ, resource("user", "a"))])
    store.checkpoint("token")
    store.begin_expansion()
    store.insert_expanded_rows(READ.id, [_derived_row(store, READ, "b")])
    store.close()  # killed or stopped: back to the checkpoint
    reopened = SyncStore.open(c1z_path)
    try:
        reopened.start_or_resume_sync()
        names = _indexes(reopened)
        assert UNIQUE_GRANT_ID_INDEX in names
        assert BASE_ROWS_INDEX not in names
        assert _users_of(reopened, READ) == ["a"]
    finally:
        reopened.close()
