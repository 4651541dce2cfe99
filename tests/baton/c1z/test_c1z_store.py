"""SyncStore: upserts, expansion columns, checkpoints and resume, retention, stats, locking."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from c1z_helpers import decode, entitlement, grant, resource, resource_type

from baton_confluence.baton import annotations as annos
from baton_confluence.baton import pb
from baton_confluence.baton.c1z import C1ZError, C1ZReader, SyncStore
from baton_confluence.baton.c1z.timefmt import parse


def rows(store: SyncStore, sql: str) -> list[tuple[object, ...]]:
    return store.conn.execute(sql).fetchall()


def full_sync(path: Path, names: list[str]) -> str:
    """One complete sync holding groups `names`; returns its id."""
    with SyncStore.open(path) as store:
        sync_id, _ = store.start_or_resume_sync()
        store.put_resource_types([resource_type("group")])
        store.put_resources([resource("group", n) for n in names])
        store.end_sync()
        store.cleanup()
        store.finalize()
    return sync_id


# ------------------------------------------------------------------ upserts


def test_same_external_id_twice_is_one_row_last_data_wins(store: SyncStore) -> None:
    store.put_resources([resource("user", "u1", "First", parent=("group", "g1"))])
    (first_seen,) = rows(store, "select discovered_at from v1_resources")[0]
    store.put_resources([resource("user", "u1", "Second")])
    store.put_resources([resource("user", "u1", "Third"), resource("user", "u2")])
    got = rows(store, "select external_id, parent_resource_type_id, parent_resource_id, discovered_at, data "
                      "from v1_resources order by id")  # fmt: skip
    assert [r[0] for r in got] == ["user:u1", "user:u2"]
    _, ptype, pid, seen, data = got[0]
    assert pb.resource.Resource.FromString(data).display_name == "Third"
    assert (ptype, pid, seen) == ("group", "g1", first_seen)  # only data changes on conflict


def test_row_columns(store: SyncStore) -> None:
    group = resource("group", "g1")
    ent = entitlement(group, "member")
    store.put_resource_types([resource_type("group")])
    store.put_resources([group, resource("user", "u1")])
    store.put_entitlements([ent])
    store.put_grants([grant(ent, resource("user", "u1"))])
    assert rows(store, "select external_id from v1_resource_types") == [("group",)]
    assert rows(store, "select resource_type_id, external_id, parent_resource_type_id from v1_resources") == [
        ("group", "group:g1", None),
        ("user", "user:u1", None),
    ]
    assert rows(store, "select resource_type_id, resource_id, external_id from v1_entitlements") == [
        ("group", "g1", "group:g1:member")
    ]
    assert rows(store, "select resource_type_id, resource_id, entitlement_id, principal_resource_type_id, "
                       "principal_resource_id, external_id, expansion, needs_expansion from v1_grants") == [
        ("group", "g1", "group:g1:member", "user", "u1", "group:g1:member:user:u1", None, 0)
    ]  # fmt: skip
    (seen,) = rows(store, "select discovered_at from v1_grants")[0]
    assert isinstance(seen, str) and parse(seen) is not None and "T" not in seen and "+" not in seen


def test_deterministic_serialization(store: SyncStore) -> None:
    res = resource("group", "g1")
    for i in range(20):
        res.profile.fields[f"k{19 - i}"].string_value = str(i)
    store.put_resources([res])
    (data,) = rows(store, "select data from v1_resources")[0]
    assert data == res.SerializeToString(deterministic=True)


# ------------------------------------------------------------------ expansion columns


def test_grant_expandable_moves_to_expansion_column(store: SyncStore) -> None:
    ent = entitlement(resource("space", "s1"), "read")
    immutable = annos.pack(pb.grant_annotations.GrantImmutable())
    expandable = grant(ent, resource("group", "g1"), expand=["group:g1:member"])
    expandable.annotations.insert(0, immutable)
    blank = grant(ent, resource("group", "g2"), expand=[" ", ""])
    plain = grant(ent, resource("group", "g3"))
    store.put_grants([expandable, blank, plain])
    got = {r[0]: r[1:] for r in rows(store, "select principal_resource_id, expansion, needs_expansion, data "
                                            "from v1_grants")}  # fmt: skip
    exp, needs, data = got["g1"]
    assert pb.grant_annotations.GrantExpandable.FromString(exp).entitlement_ids == ["group:g1:member"]
    assert needs == 1
    stored = pb.grant.Grant.FromString(data)
    assert [a.type_url for a in stored.annotations] == [immutable.type_url]  # the rest is kept
    assert got["g2"][:2] == (None, 0)
    assert pb.grant.Grant.FromString(got["g2"][2]).annotations == []  # stripped even when blank
    assert got["g3"][:2] == (None, 0)
    assert len(expandable.annotations) == 2  # the caller's message is untouched
    found = list(store.iter_expandable_grants())
    assert [(g.principal.id.resource, e.entitlement_ids) for _, g, e in found] == [("g1", ["group:g1:member"])]


def test_needs_expansion_follows_upserts(store: SyncStore) -> None:
    ent = entitlement(resource("space", "s1"), "read")
    principal = resource("group", "g1")

    def state() -> tuple[object, ...]:
        return rows(store, "select expansion is not null, needs_expansion from v1_grants")[0]

    store.put_grants([grant(ent, principal)])
    assert state() == (0, 0)
    store.put_grants([grant(ent, principal, expand=["group:g1:member"])])
    assert state() == (1, 1)
    store.conn.execute("update v1_grants set needs_expansion = 0")
    store.put_grants([grant(ent, principal, expand=["group:g1:member"])])
    assert state() == (1, 0)  # unchanged expansion keeps the flag
    store.put_grants([grant(ent, principal, expand=["group:g1:admin"])])
    assert state() == (1, 1)  # changed expansion sets it
    store.put_grants([grant(ent, principal)])
    assert state() == (0, 0)


def test_expanded_grant_insert_preserves_expansion(store: SyncStore) -> None:
    ent = entitlement(resource("space", "s1"), "read")
    original = grant(ent, resource("group", "g1"), expand=["group:g1:member"])
    store.put_grants([original])
    derived = grant(ent, resource("user", "u1"))
    updated = pb.grant.Grant()
    updated.CopyFrom(original)
    del updated.annotations[:]
    updated.sources.sources["space:s1:read"].is_direct = True
    when = "2026-01-01 00:00:00.000000000"
    store.insert_expanded_rows(
        ent.id,
        [
            ("space", "s1", ent.id, "group", "g1", original.id, updated.SerializeToString(), store.sync_id, when),
            ("space", "s1", ent.id, "user", "u1", derived.id, derived.SerializeToString(), store.sync_id, when),
        ]
    )
    got = rows(store, "select principal_resource_id, expansion is not null, needs_expansion, data from v1_grants "
                      "order by id")  # fmt: skip
    assert [r[:3] for r in got] == [("g1", 1, 1), ("u1", 0, 0)]
    assert pb.grant.Grant.FromString(got[0][3]).sources.sources["space:s1:read"].is_direct
    keys = {(ptype, pid): rowid for rowid, ptype, pid in store.iter_grant_keys_for_entitlement(ent.id)}
    assert set(keys) == {("group", "g1"), ("user", "u1")}
    rowid = keys[("user", "u1")]
    assert pb.grant.Grant.FromString(store.grant_data(rowid)).id == derived.id
    store.update_grant_data(rowid, b"\x1a\x01x")
    assert store.grant_data(rowid) == b"\x1a\x01x"
    with pytest.raises(KeyError):
        store.grant_data(rowid + 1000)
    listed = list(store.iter_grant_rows_for_entitlement(ent.id))
    assert [(r[1], r[2]) for r in listed] == [("group", "g1"), ("user", "u1")]


def test_reads_of_current_sync(store: SyncStore) -> None:
    group = resource("group", "g1")
    store.put_resource_types([resource_type("group"), resource_type("user")])
    store.put_resources([group] + [resource("user", f"u{i}") for i in range(2500)])
    store.put_entitlements([entitlement(group, "member")])
    assert [rt.id for rt in store.iter_resource_types()] == ["group", "user"]
    assert store.count_resources() == 2501 and store.count_resources("user") == 2500
    users = list(store.iter_resources("user"))
    assert len(users) == 2500 and [r.id.resource for _, r in users[:2]] == ["u0", "u1"]
    after = list(store.iter_resources("user", after_rowid=users[99][0], limit=10))
    assert [r.id.resource for _, r in after] == [f"u{i}" for i in range(100, 110)]
    assert store.get_resource("user", "u7") is not None and store.get_resource("user", "nope") is None
    ent = store.get_entitlement("group:g1:member")
    assert ent is not None and ent.resource.id.resource == "g1"
    assert [e.id for e in store.iter_entitlements("group", "g1")] == ["group:g1:member"]


# ------------------------------------------------------------------ checkpoint, resume, crash safety


def test_checkpoint_close_reopen_resumes(c1z_path: Path) -> None:
    store = SyncStore.open(c1z_path)
    sync_id, token = store.start_or_resume_sync()
    assert token == ""
    store.put_resources([resource("user", "u1")])
    store.checkpoint('{"page":1}')
    store.put_resources([resource("user", "u2")])  # after the checkpoint: rolled back on close
    store.close()
    assert not c1z_path.exists()
    assert sorted(p.name for p in c1z_path.parent.iterdir()) == ["sync.c1z.work.db", "sync.c1z.work.db.seed"]
    with SyncStore.open(c1z_path) as again:
        assert again.reused_work_db
        assert again.start_or_resume_sync() == (sync_id, '{"page":1}')
        assert [r.id.resource for _, r in again.iter_resources()] == ["u1"]


def _interrupted_sync(c1z_path: Path) -> None:
    store = SyncStore.open(c1z_path)
    store.start_or_resume_sync()
    store.put_resources([resource("group", "from-interrupted-run")])
    store.checkpoint('{"page":1}')
    store.close()


def test_work_db_is_dropped_when_the_c1z_was_replaced_meanwhile(tmp_path: Path) -> None:
    c1z_path = tmp_path / "sync.c1z"
    full_sync(c1z_path, ["old"])
    _interrupted_sync(c1z_path)
    other = tmp_path / "other.c1z"
    replacement_sync = full_sync(other, ["replacement"])
    other.replace(c1z_path)  # someone put another c1z in place while the work db waited
    with SyncStore.open(c1z_path) as store:
        assert not store.reused_work_db
        sync_id, token = store.start_or_resume_sync()
        assert token == "" and sync_id != replacement_sync
        ids = [r[0] for r in store.conn.execute("select sync_id from v1_sync_runs order by id")]
        assert ids == [replacement_sync, sync_id]  # built from the file now in place, not the old one
        store.abandon()


def test_work_db_is_dropped_when_the_c1z_was_deleted_meanwhile(tmp_path: Path) -> None:
    c1z_path = tmp_path / "sync.c1z"
    full_sync(c1z_path, ["old"])
    _interrupted_sync(c1z_path)
    c1z_path.unlink()
    with SyncStore.open(c1z_path) as store:
        assert not store.reused_work_db
        assert store.conn.execute("select count(*) from v1_sync_runs").fetchone()[0] == 0
        store.abandon()


def test_previous_c1z_untouched_while_syncing_and_after_abandon(c1z_path: Path) -> None:
    full_sync(c1z_path, ["g1"])
    before = c1z_path.read_bytes()
    store = SyncStore.open(c1z_path)
    store.start_or_resume_sync()
    store.put_resources([resource("group", f"new{i}") for i in range(100)])
    store.checkpoint("t")
    assert c1z_path.read_bytes() == before
    store.close()
    assert c1z_path.read_bytes() == before
    store = SyncStore.open(c1z_path)
    store.start_or_resume_sync()
    store.abandon()
    assert c1z_path.read_bytes() == before
    assert sorted(p.name for p in c1z_path.parent.iterdir()) == ["sync.c1z"]


KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from baton_confluence.baton import pb
    from baton_confluence.baton.c1z import SyncStore
    store = SyncStore.open(Path(sys.argv[1]))
    sync_id, token = store.start_or_resume_sync()
    print(sync_id, flush=True)
    def res(i):
        return pb.resource.Resource(id=pb.resource.ResourceId(resource_type="user", resource=f"u{i}"))
    store.put_resources([res(i) for i in range(1000)])
    store.checkpoint("after-1000")
    store.put_resources([res(i) for i in range(1000, 50000)])
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_kill_9_mid_transaction_resumes_at_checkpoint(c1z_path: Path) -> None:
    full_sync(c1z_path, ["g1"])
    before = c1z_path.read_bytes()
    proc = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(c1z_path)], capture_output=True, text=True)
    assert proc.returncode == -9, proc.stderr
    assert c1z_path.read_bytes() == before
    with SyncStore.open(c1z_path) as store:  # the kernel released the dead process's lock
        assert store.start_or_resume_sync() == (proc.stdout.strip(), "after-1000")
        assert store.count_resources() == 1000
        store.end_sync()
        store.finalize()
    with C1ZReader.open(c1z_path) as reader:
        assert len(list(reader.resources("user"))) == 1000


def test_finished_but_unsaved_sync_is_reported(c1z_path: Path) -> None:
    store = SyncStore.open(c1z_path)
    sync_id, _ = store.start_or_resume_sync()
    store.end_sync()
    store.close()  # as if the process died before finalize()
    with SyncStore.open(c1z_path) as again:
        assert again.unsaved_finished_sync() == sync_id
        assert again.start_or_resume_sync()[0] != sync_id  # a finished sync never resumes


def test_second_writer_is_refused(c1z_path: Path) -> None:
    with SyncStore.open(c1z_path) as first:
        first.start_or_resume_sync()
        with pytest.raises(C1ZError, match="another sync is writing") as info:
            SyncStore.open(c1z_path)
        assert str(c1z_path) in str(info.value)
    with SyncStore.open(c1z_path):  # released on close
        pass


def test_finalize_leaves_only_the_c1z(c1z_path: Path) -> None:
    full_sync(c1z_path, ["g1"])
    assert sorted(p.name for p in c1z_path.parent.iterdir()) == ["sync.c1z"]


# ------------------------------------------------------------------ end of sync: stats and retention


def test_end_sync_stats_json(c1z_path: Path, tmp_path: Path) -> None:
    group = resource("group", "g1")
    ent = entitlement(group, "member")
    with SyncStore.open(c1z_path) as store:
        sync_id, _ = store.start_or_resume_sync()
        store.put_resource_types([resource_type("user"), resource_type("group"), resource_type("space")])
        store.put_resources([group, resource("user", "u1"), resource("user", "u2")])
        store.put_entitlements([ent])
        store.put_grants([grant(ent, resource("user", "u1")), grant(ent, resource("user", "u2"))])
        store.checkpoint(json.dumps({"step_durations_ms": {"list-grants": 12}, "version": 1}))
        result = store.end_sync()
        store.finalize()
    conn = decode(c1z_path, tmp_path / "out.db")
    text, ended, token = conn.execute("select stats, ended_at, sync_token from v1_sync_runs").fetchone()
    assert ended is not None and json.loads(token)["version"] == 1
    assert text == (
        '{"resource_types":3,"resources":3,"entitlements":1,"grants":2,'
        '"resources_by_resource_type":{"group":1,"space":0,"user":2},'
        '"grants_by_resource_type":{"group":2},"entitlements_by_resource_type":{"group":1},'
        '"step_durations_ms":{"list-grants":12}}'
    )
    assert json.loads(text) == result.to_json_dict()
    assert (result.resource_types, result.grants, result.step_durations_ms) == (3, 2, {"list-grants": 12})
    flags = conn.execute("select sync_type, supports_diff, grants_backfilled from v1_sync_runs").fetchone()
    assert flags == ("full", 1, 1)
    assert sync_id


def test_retention_keeps_two_full_syncs(c1z_path: Path, tmp_path: Path) -> None:
    ids = [full_sync(c1z_path, [f"g{i}"]) for i in range(3)]
    conn = decode(c1z_path, tmp_path / "out.db")
    assert [r[0] for r in conn.execute("select sync_id from v1_sync_runs order by id")] == ids[1:]
    assert conn.execute("select count(*) from v1_resources where sync_id = ?", (ids[0],)).fetchone() == (0,)
    assert conn.execute("select count(*) from v1_resource_types").fetchone() == (2,)


def test_retention_keep_count_and_skip(c1z_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BATON_KEEP_SYNC_COUNT", "1")
    full_sync(c1z_path, ["a"])
    last = full_sync(c1z_path, ["b"])
    assert _sync_ids(c1z_path, tmp_path / "a.db") == [last]
    monkeypatch.setenv("BATON_SKIP_CLEANUP", "true")
    full_sync(c1z_path, ["c"])
    assert len(_sync_ids(c1z_path, tmp_path / "b.db")) == 2


def test_retention_drops_old_partials_and_never_unfinished(c1z_path: Path, tmp_path: Path) -> None:
    with SyncStore.open(c1z_path) as store:
        partial, _ = store.start_or_resume_sync("partial")
        store.end_sync()
        store.finalize()
    with SyncStore.open(c1z_path) as store:
        unfinished, _ = store.start_or_resume_sync("resources_only")
        store.checkpoint("x")
        store.finalize()
    first = full_sync(c1z_path, ["a"])
    second = full_sync(c1z_path, ["b"])
    third = full_sync(c1z_path, ["c"])
    kept = _sync_ids(c1z_path, tmp_path / "r.db")
    assert first not in kept and partial not in kept
    assert kept == [unfinished, second, third]


def _sync_ids(c1z: Path, db: Path) -> list[str]:
    conn: sqlite3.Connection = decode(c1z, db)
    return [r[0] for r in conn.execute("select sync_id from v1_sync_runs order by id")]


def test_missing_directory_is_a_readable_error(tmp_path: Path) -> None:
    with pytest.raises(C1ZError, match="does not exist"):
        SyncStore.open(tmp_path / "nope" / "sync.c1z")
