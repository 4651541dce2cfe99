"""Free pages go into a c1z as zeros (c1z/freelist.py): the database stays valid and compresses smaller."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import zstandard
from c1z_helpers import decode, entitlement, grant, resource

from baton_confluence.baton.c1z import C1ZReader, SyncStore
from baton_confluence.baton.c1z.freelist import FreePages, blank_free_pages, free_leaf_pages


def _db_with_free_pages(path: Path) -> int:
    conn = sqlite3.connect(path)
    conn.execute("pragma page_size = 4096")
    conn.execute("pragma secure_delete = off")  # as the store drops indexes: the pages keep their bytes
    conn.execute("create table kept (v blob)")
    conn.execute("create table dropped (v blob)")
    conn.executemany("insert into kept values (?)", [(os.urandom(300),) for _ in range(200)])
    conn.executemany("insert into dropped values (?)", [(os.urandom(300),) for _ in range(3000)])
    conn.commit()
    conn.execute("drop table dropped")
    conn.commit()
    (free,) = conn.execute("pragma freelist_count").fetchone()
    conn.close()
    return int(free)


def _blanked(path: Path, page_size: int, free: FreePages) -> bytes:
    raw = path.read_bytes()
    return b"".join(
        blank_free_pages(raw[offset : offset + 65536], offset, page_size, free) for offset in range(0, len(raw), 65536)
    )


def test_free_leaf_pages_are_zeroed_and_the_database_stays_valid(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    free_count = _db_with_free_pages(db)
    page_size, free = free_leaf_pages(db)
    assert page_size == 4096
    # Every free page but the trunk pages that list them (one trunk holds up to 1022 numbers).
    assert free_count - 2 <= len(free) < free_count
    out = tmp_path / "b.db"
    out.write_bytes(_blanked(db, page_size, free))
    raw = out.read_bytes()
    assert len(list(free)) == len(free)
    for page in free:
        assert raw[(page - 1) * page_size : page * page_size] == bytes(page_size)
    kept = [page for page in range(1, len(raw) // page_size + 1) if page not in free]
    assert all(
        raw[(p - 1) * page_size : p * page_size] == db.read_bytes()[(p - 1) * page_size : p * page_size] for p in kept
    )
    conn = sqlite3.connect(out)
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    assert conn.execute("select count(*) from kept").fetchone() == (200,)
    conn.execute("create table again (v blob)")  # the freelist is still usable
    conn.executemany("insert into again values (?)", [(b"x" * 300,) for _ in range(3000)])
    conn.commit()
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    conn.close()
    packed = zstandard.ZstdCompressor(level=1).compress
    assert len(packed(raw)) * 3 < len(packed(db.read_bytes()))


def test_a_freelist_that_does_not_add_up_is_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    _db_with_free_pages(db)
    raw = bytearray(db.read_bytes())
    raw[36:40] = (12345).to_bytes(4, "big")  # the header's free page count no longer matches the list
    db.write_bytes(bytes(raw))
    assert len(free_leaf_pages(db)[1]) == 0


def test_a_database_without_free_pages_is_copied_as_it_is(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    conn = sqlite3.connect(db)
    conn.execute("create table t (v)")
    conn.commit()
    conn.close()
    page_size, free = free_leaf_pages(db)
    assert len(free) == 0
    assert _blanked(db, page_size, free) == db.read_bytes()


def test_free_pages_is_a_set_of_page_numbers() -> None:
    pages = FreePages()
    assert pages.add(9) and pages.add(2) and pages.add(70_000) and not pages.add(9)
    assert list(pages) == [2, 9, 70_000] and len(pages) == 3
    assert 9 in pages and 3 not in pages and 10**9 not in pages


def test_a_sync_that_drops_an_old_one_writes_a_compact_file_without_grant_indexes(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    for n in range(3):  # the third sync deletes the first (two kept), which rewrites the database
        with SyncStore.open(path) as store:
            store.start_or_resume_sync()
            group = resource("group", "g1")
            store.put_resources([group])
            store.put_grants([grant(entitlement(group, "member"), resource("user", f"u{i}")) for i in range(300 + n)])
            store.end_sync()
            assert bool(store.cleanup()) == (n == 2)
            store.finalize()
    conn = decode(path, tmp_path / "out.db")
    assert conn.execute("pragma freelist_count").fetchone() == (0,)
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    names = {row[0] for row in conn.execute("select name from sqlite_master where tbl_name = 'v1_grants'")}
    assert "idx_grants_external_sync_v1" not in names and "idx_grants_entitlement_sync_grant_v1" not in names
    assert conn.execute("select count(*) from v1_grants").fetchone() == (301 + 302,)
    assert not list(tmp_path.glob("*.compact"))  # the compacted copy is gone with the work db
    with C1ZReader.open(path) as reader:
        assert len(list(reader.grants())) == 302


def test_a_sync_finished_after_a_crash_still_compacts_what_retention_freed(tmp_path: Path) -> None:
    """Killed between cleanup and finalize: the resumed run only finalizes, and knows to compact
    from the free pages the deleted sync left (over a quarter of the file)."""
    path = tmp_path / "sync.c1z"
    group = resource("group", "g1")
    for n in range(3):
        store = SyncStore.open(path)
        store.start_or_resume_sync()
        store.put_resources([group])
        store.put_grants([grant(entitlement(group, "member"), resource("user", f"u{n}-{i}")) for i in range(3000)])
        store.end_sync()
        store.cleanup()
        if n < 2:
            store.finalize()
        else:
            store.close()  # the c1z still holds syncs 0 and 1
    with SyncStore.open(path) as resumed:
        assert resumed.unsaved_finished_sync() is not None
        resumed.finalize()
    assert not list(tmp_path.glob("*.compact"))
    conn = decode(path, tmp_path / "out.db")
    assert conn.execute("pragma freelist_count").fetchone() == (0,)
    assert conn.execute("select count(*) from v1_grants").fetchone() == (6000,)
    assert {row[0] for row in conn.execute("select principal_resource_id from v1_grants")} == {
        f"u{n}-{i}" for n in (1, 2) for i in range(3000)
    }
