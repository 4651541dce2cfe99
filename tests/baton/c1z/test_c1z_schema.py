"""The SQLite schema matches upstream v0.25 names, columns and indexes (docs/protocol.md §1.3)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import zstandard
from c1z_helpers import decode, entitlement, grant, resource, resource_type

from baton_confluence.baton.c1z import C1ZReader, SyncStore, schema

EXPECTED_TABLES = {
    "v1_resource_types": ["id", "external_id", "data", "sync_id", "discovered_at"],
    "v1_resources": [
        "id", "resource_type_id", "external_id", "parent_resource_type_id", "parent_resource_id",
        "data", "sync_id", "discovered_at",
    ],
    "v1_entitlements": ["id", "resource_type_id", "resource_id", "external_id", "data", "sync_id", "discovered_at"],
    "v1_sync_runs": [
        "id", "sync_id", "started_at", "ended_at", "sync_token", "sync_type", "parent_sync_id",
        "linked_sync_id", "supports_diff", "grants_backfilled", "stats", "ingest_invariant_generation",
        "ingest_invariant_coverage", "ingest_invariant_mode",
    ],
    "v1_grants": [
        "id", "resource_type_id", "resource_id", "entitlement_id", "principal_resource_type_id",
        "principal_resource_id", "external_id", "expansion", "needs_expansion", "data", "sync_id",
        "discovered_at",
    ],
    "v1_assets": ["id", "external_id", "content_type", "data", "sync_id", "discovered_at"],
    "v1_connector_sessions": ["id", "sync_id", "key", "value"],
}  # fmt: skip

# name -> (table, columns, unique, partial WHERE); the resource names are swapped upstream.
EXPECTED_INDEXES = {
    "idx_resource_types_external_sync_v1": ("v1_resource_types", ["external_id", "sync_id"], True, None),
    "idx_resources_resource_type_id_v1": ("v1_resources", ["resource_type_id"], False, None),
    "idx_resources_external_sync_v1": (
        "v1_resources", ["parent_resource_type_id", "parent_resource_id"], False, None,
    ),
    "idx_resources_parent_resource_id_v1": ("v1_resources", ["external_id", "sync_id"], True, None),
    "idx_entitlements_resource_id_v1": ("v1_entitlements", ["resource_type_id", "resource_id"], False, None),
    "idx_entitlements_external_sync_v1": ("v1_entitlements", ["external_id", "sync_id"], True, None),
    "idx_sync_runs_sync_id_v1": ("v1_sync_runs", ["sync_id"], True, None),
    "idx_grants_resource_type_id_resource_id_v1": ("v1_grants", ["resource_type_id", "resource_id"], False, None),
    "idx_grants_principal_id_v1": (
        "v1_grants", ["principal_resource_type_id", "principal_resource_id"], False, None,
    ),
    "idx_grants_entitlement_id_principal_id_v1": (
        "v1_grants", ["entitlement_id", "principal_resource_type_id", "principal_resource_id"], False, None,
    ),
    "idx_grants_external_sync_v1": ("v1_grants", ["external_id", "sync_id"], True, None),
    "idx_grants_entitlement_sync_grant_v1": ("v1_grants", ["entitlement_id", "sync_id", "id"], False, None),
    "idx_grants_sync_expansion_v1": ("v1_grants", ["sync_id"], False, "expansion is not null"),
    "idx_grants_sync_needs_expansion_v1": ("v1_grants", ["sync_id"], False, "needs_expansion = 1"),
    "idx_assets_external_sync_v1": ("v1_assets", ["external_id", "sync_id"], True, None),
    "idx_session_store_sync_key_v1": ("v1_connector_sessions", ["sync_id", "key"], True, None),
}  # fmt: skip

# Upstream creation order (allTableDescriptors; each table's indexes, then its migrations).
EXPECTED_ORDER = [
    "v1_resource_types", "idx_resource_types_external_sync_v1",
    "v1_resources", "idx_resources_resource_type_id_v1", "idx_resources_external_sync_v1",
    "idx_resources_parent_resource_id_v1",
    "v1_entitlements", "idx_entitlements_resource_id_v1", "idx_entitlements_external_sync_v1",
    "v1_sync_runs", "idx_sync_runs_sync_id_v1",
    "v1_grants", "idx_grants_resource_type_id_resource_id_v1", "idx_grants_principal_id_v1",
    "idx_grants_entitlement_id_principal_id_v1", "idx_grants_external_sync_v1",
    "idx_grants_entitlement_sync_grant_v1", "idx_grants_sync_expansion_v1", "idx_grants_sync_needs_expansion_v1",
    "v1_assets", "idx_assets_external_sync_v1",
    "v1_connector_sessions", "idx_session_store_sync_key_v1",
]  # fmt: skip


def describe(
    conn: sqlite3.Connection,
) -> tuple[dict[str, list[str]], dict[str, tuple[str, list[str], bool, str | None]]]:
    tables = {
        name: [c[1] for c in conn.execute(f"pragma table_info({name})")]
        for (name,) in conn.execute("select name from sqlite_master where type = 'table'")
    }
    indexes = {}
    for name, table, sql in conn.execute("select name, tbl_name, sql from sqlite_master where type = 'index'"):
        if sql is None:
            continue  # automatic indexes
        cols = [r[2] if r[2] is not None else "id" for r in conn.execute(f"pragma index_xinfo({name})") if r[5]]
        unique = bool(conn.execute(f"select \"unique\" from pragma_index_list('{table}') where name = ?", (name,))
                      .fetchone()[0])  # fmt: skip
        where = sql.split(" where ", 1)[1].strip() if " where " in sql else None
        indexes[name] = (table, cols, unique, where)
    return tables, indexes


def test_fresh_schema_matches_upstream() -> None:
    conn = sqlite3.connect(":memory:")
    schema.ensure_schema(conn)
    tables, indexes = describe(conn)
    assert tables == EXPECTED_TABLES
    assert indexes == EXPECTED_INDEXES
    order = [r[0] for r in conn.execute("select name from sqlite_master order by rowid")]
    assert order == EXPECTED_ORDER


def test_ensure_schema_is_idempotent() -> None:
    conn = sqlite3.connect(":memory:")
    schema.ensure_schema(conn)
    before = conn.execute("select type, name, sql from sqlite_master order by rowid").fetchall()
    schema.ensure_schema(conn)
    assert conn.execute("select type, name, sql from sqlite_master order by rowid").fetchall() == before


def test_column_types_match_upstream() -> None:
    conn = sqlite3.connect(":memory:")
    schema.ensure_schema(conn)
    info = {(r[1]): (r[2].lower(), r[3], r[4]) for r in conn.execute("pragma table_info(v1_sync_runs)")}
    assert info["ended_at"] == ("datetime", 0, None)
    assert info["sync_type"] == ("text", 1, "'full'")
    assert info["grants_backfilled"] == ("integer", 1, "0")
    assert info["stats"] == ("text", 0, None)
    grants = {(r[1]): (r[2].lower(), r[3], r[4]) for r in conn.execute("pragma table_info(v1_grants)")}
    assert grants["expansion"] == ("blob", 0, None)
    assert grants["needs_expansion"] == ("integer", 1, "0")
    assert grants["data"] == ("blob", 1, None)


OLD_SYNC_RUNS = """create table v1_sync_runs (id integer primary key, sync_id text not null,
    started_at datetime not null, ended_at datetime, sync_token text not null)"""
OLD_GRANTS = """create table v1_grants (id integer primary key, resource_type_id text not null,
    resource_id text not null, entitlement_id text not null, principal_resource_type_id text not null,
    principal_resource_id text not null, external_id text not null, data blob not null,
    sync_id text not null, discovered_at datetime not null)"""


def test_older_file_gets_missing_columns_added() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute(OLD_SYNC_RUNS)
    conn.execute(OLD_GRANTS)
    conn.execute("insert into v1_sync_runs (sync_id, started_at, sync_token) values ('a', '2024-01-01', '')")
    schema.ensure_schema(conn)
    tables, indexes = describe(conn)
    # ALTER TABLE appends, so migrated columns come last (as in a Go-migrated file).
    assert {t: sorted(c) for t, c in tables.items()} == {t: sorted(c) for t, c in EXPECTED_TABLES.items()}
    assert tables["v1_grants"][-2:] == ["expansion", "needs_expansion"]
    assert indexes == EXPECTED_INDEXES
    row = conn.execute(
        "select sync_type, parent_sync_id, supports_diff, grants_backfilled from v1_sync_runs"
    ).fetchone()
    assert row == ("full", "", 0, 0)


def test_finalized_file_ships_without_the_grant_indexes_readers_build(c1z_path: Path, tmp_path: Path) -> None:
    # The file leaves out the grant table's five indexes (docs/protocol.md §1.3); the Go SDK's
    # open runs its schema's `create ... if not exists` statements, which the pinned facts record,
    # and that gives the full upstream schema back.
    with SyncStore.open(c1z_path) as store:
        store.start_or_resume_sync()
        group = resource("group", "g1")
        store.put_grants([grant(entitlement(group, "member"), resource("user", "u1"))])
        store.end_sync()
        store.finalize()
    conn = decode(c1z_path, tmp_path / "out.db")
    tables, indexes = describe(conn)
    assert tables == EXPECTED_TABLES
    grant_indexes = {
        name for name, (table, _, _, where) in EXPECTED_INDEXES.items() if table == "v1_grants" and not where
    }
    assert len(grant_indexes) == 5
    assert set(EXPECTED_INDEXES) - set(indexes) == grant_indexes
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    for index in UPSTREAM["indexes"]:
        kind = "unique index" if index["unique"] else "index"
        where = f" where {index['where']}" if index["where"] else ""
        conn.execute(
            f"create {kind} if not exists {index['name']} on {index['table']} ({', '.join(index['columns'])}){where}"
        )
    # The pinned file predates the index by (entitlement, sync, id); the current Go schema creates
    # it with the other four (docs/protocol.md §1.3).
    assert set(EXPECTED_INDEXES) - set(describe(conn)[1]) == {"idx_grants_entitlement_sync_grant_v1"}
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    with C1ZReader.open(c1z_path) as reader:  # our reader builds them too
        assert describe(reader.conn)[1] == EXPECTED_INDEXES
        assert [g.id for g in reader.grants()] == ["group:g1:member:user:u1"]


# What the Go SDK writes, pinned from one of its own files (see the file's "about").
UPSTREAM = json.loads((Path(__file__).parent / "upstream_c1z_facts.json").read_text())


def _go_shaped_c1z(path: Path, work: Path) -> bytes:
    """A c1z shaped as the Go SDK leaves one mid-sync, built from the pinned facts with plain
    sqlite3 and zstd: its older schema, 4 KiB pages, a WAL header, one unfinished full sync with a
    JSON token, and a few resource types and resources. Returns the file's bytes."""
    db_path = work / "go.db"
    conn = sqlite3.connect(db_path)
    conn.execute(f"pragma page_size = {UPSTREAM['page_size']}")
    assert conn.execute("pragma journal_mode = wal").fetchone() == ("wal",)
    for name, columns in UPSTREAM["tables"].items():
        conn.execute(f"create table {name} ({', '.join(f'{c} {d}' for c, d in columns.items())})")
        for index in (i for i in UPSTREAM["indexes"] if i["table"] == name):
            kind = "unique index" if index["unique"] else "index"
            where = f" where {index['where']}" if index["where"] else ""
            conn.execute(f"create {kind} {index['name']} on {name} ({', '.join(index['columns'])}){where}")
    sync_id = "3ARefY5G8eOytquwYgm41Nq07IZ"
    token = json.dumps({"actions": [{"operation": "list-grants"}], "current_action": {"operation": "list-resources"}})
    conn.execute(
        "insert into v1_sync_runs (sync_id, started_at, sync_token, sync_type) values (?, ?, ?, 'full')",
        (sync_id, "2026-03-03 09:45:13.056791", token),
    )
    now = "2026-03-03 09:45:14.000000"
    for rt in (resource_type("user"), resource_type("group")):
        conn.execute(
            "insert into v1_resource_types (external_id, data, sync_id, discovered_at) values (?, ?, ?, ?)",
            (rt.id, rt.SerializeToString(deterministic=True), sync_id, now),
        )
    for r in (resource("user", "u1"), resource("user", "u2"), resource("group", "g1")):
        conn.execute(
            "insert into v1_resources (resource_type_id, external_id, data, sync_id, discovered_at) values (?, ?, ?, ?, ?)",
            (r.id.resource_type, f"{r.id.resource_type}:{r.id.resource}", r.SerializeToString(), sync_id, now),
        )
    conn.commit()
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    raw = db_path.read_bytes()
    assert raw[18:20] == b"\x02\x02"  # the WAL header the facts record
    data = b"C1ZF\x00" + zstandard.ZstdCompressor().compress(raw)
    path.write_bytes(data)
    return data


def test_the_go_shaped_file_has_the_pinned_schema(tmp_path: Path) -> None:
    _go_shaped_c1z(tmp_path / "go.c1z", tmp_path)
    tables, indexes = describe(decode(tmp_path / "go.c1z", tmp_path / "out.db"))
    assert tables == {name: list(columns) for name, columns in UPSTREAM["tables"].items()}
    assert indexes == {i["name"]: (i["table"], i["columns"], i["unique"], i["where"]) for i in UPSTREAM["indexes"]}


def test_upstream_names_match_ours() -> None:
    for name, columns in UPSTREAM["tables"].items():
        assert [c for c in EXPECTED_TABLES[name] if c in columns] == list(columns)
    for index in UPSTREAM["indexes"]:
        assert EXPECTED_INDEXES[index["name"]] == (index["table"], index["columns"], index["unique"], index["where"])


def test_reader_opens_a_go_shaped_file(tmp_path: Path) -> None:
    path = tmp_path / "go.c1z"
    written = _go_shaped_c1z(path, tmp_path)
    with C1ZReader.open(path) as reader:
        syncs = reader.syncs()
        assert len(syncs) == 1 and syncs[0].type == "full" and syncs[0].ended_at is None
        resources = list(reader.resources())
        assert sorted(f"{r.id.resource_type}:{r.id.resource}" for r in resources) == ["group:g1", "user:u1", "user:u2"]
        assert {rt.id for rt in reader.resource_types()} >= {r.id.resource_type for r in resources}
    assert path.read_bytes() == written


def test_store_resumes_from_a_go_shaped_file(tmp_path: Path) -> None:
    # A Go-written v1 file (older schema, WAL header) is a valid base for a Python sync.
    path = tmp_path / "go.c1z"
    _go_shaped_c1z(path, tmp_path)
    with SyncStore.open(path) as store:
        store.start_or_resume_sync()
        store.put_resource_types([])
        store.end_sync()
        store.finalize()
    with C1ZReader.open(path) as reader:
        assert len(reader.syncs()) == 2
        assert reader.current_sync() is not None and reader.current_sync().ended_at is not None  # type: ignore[union-attr]
