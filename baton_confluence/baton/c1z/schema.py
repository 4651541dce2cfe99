"""The v1 SQLite schema of a c1z, exactly as the Go SDK v0.25 creates it (docs/protocol.md §1.3).

Go readers find tables and indexes by name, so every name here must match upstream,
including the resource index names that are swapped relative to their columns. Tables are
created in upstream order; each table's migrations run right after its DDL (sync_runs
before grants because the grants migration in Go reads sync_runs).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

RESOURCE_TYPES = "v1_resource_types"
RESOURCES = "v1_resources"
ENTITLEMENTS = "v1_entitlements"
SYNC_RUNS = "v1_sync_runs"
GRANTS = "v1_grants"
ASSETS = "v1_assets"
SESSIONS = "v1_connector_sessions"

# The tables whose rows belong to a sync (every one has a sync_id column).
ALL_TABLES = (RESOURCE_TYPES, RESOURCES, ENTITLEMENTS, SYNC_RUNS, GRANTS, ASSETS, SESSIONS)


@dataclass(frozen=True)
class Index:
    name: str
    columns: str
    unique: bool = False
    where: str | None = None
    # Non-unique grant indexes: a sync may drop them while it bulk-writes and build them
    # once before they are queried (maintaining them row by row triples the insert cost).
    deferrable: bool = False

    def ddl(self, table: str) -> str:
        kind = "unique index" if self.unique else "index"
        where = f" where {self.where}" if self.where else ""
        return f"create {kind} if not exists {self.name} on {table} ({self.columns}){where}"


@dataclass(frozen=True)
class Column:
    """A column that older files may lack; added with ALTER TABLE on open."""

    name: str
    ddl: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]
    indexes: tuple[Index, ...]
    added_columns: tuple[Column, ...] = ()
    added_indexes: tuple[Index, ...] = field(default=())

    def create_ddl(self) -> str:
        cols = ",\n    ".join(f"{name} {decl}" for name, decl in self.columns)
        return f"create table if not exists {self.name} (\n    {cols}\n)"


_ID = ("id", "integer primary key")
_SYNC_ID = ("sync_id", "text not null")
_DISCOVERED = ("discovered_at", "datetime not null")

_SYNC_RUN_ADDED = (
    Column("sync_type", "text not null default 'full'"),
    Column("parent_sync_id", "text not null default ''"),
    Column("linked_sync_id", "text not null default ''"),
    Column("supports_diff", "integer not null default 0"),
    Column("grants_backfilled", "integer not null default 0"),
    Column("stats", "text"),
    Column("ingest_invariant_generation", "text not null default ''"),
    Column("ingest_invariant_coverage", "text not null default ''"),
    Column("ingest_invariant_mode", "text not null default ''"),
)

_GRANT_ADDED = (
    Column("expansion", "blob"),
    Column("needs_expansion", "integer not null default 0"),
)

TABLES: tuple[Table, ...] = (
    Table(
        RESOURCE_TYPES,
        (_ID, ("external_id", "text not null"), ("data", "blob not null"), _SYNC_ID, _DISCOVERED),
        (Index("idx_resource_types_external_sync_v1", "external_id, sync_id", unique=True),),
    ),
    Table(
        RESOURCES,
        (
            _ID,
            ("resource_type_id", "text not null"),
            ("external_id", "text not null"),
            ("parent_resource_type_id", "text"),
            ("parent_resource_id", "text"),
            ("data", "blob not null"),
            _SYNC_ID,
            _DISCOVERED,
        ),
        # Upstream swapped the last two names; readers and Go migrations rely on them as is.
        (
            Index("idx_resources_resource_type_id_v1", "resource_type_id"),
            Index("idx_resources_external_sync_v1", "parent_resource_type_id, parent_resource_id"),
            Index("idx_resources_parent_resource_id_v1", "external_id, sync_id", unique=True),
        ),
    ),
    Table(
        ENTITLEMENTS,
        (
            _ID,
            ("resource_type_id", "text not null"),
            ("resource_id", "text not null"),
            ("external_id", "text not null"),
            ("data", "blob not null"),
            _SYNC_ID,
            _DISCOVERED,
        ),
        (
            Index("idx_entitlements_resource_id_v1", "resource_type_id, resource_id"),
            Index("idx_entitlements_external_sync_v1", "external_id, sync_id", unique=True),
        ),
    ),
    Table(
        SYNC_RUNS,
        (
            _ID,
            ("sync_id", "text not null"),
            ("started_at", "datetime not null"),
            ("ended_at", "datetime"),
            ("sync_token", "text not null"),
            *((c.name, c.ddl) for c in _SYNC_RUN_ADDED),
        ),
        (Index("idx_sync_runs_sync_id_v1", "sync_id", unique=True),),
        added_columns=_SYNC_RUN_ADDED,
    ),
    Table(
        GRANTS,
        (
            _ID,
            ("resource_type_id", "text not null"),
            ("resource_id", "text not null"),
            ("entitlement_id", "text not null"),
            ("principal_resource_type_id", "text not null"),
            ("principal_resource_id", "text not null"),
            ("external_id", "text not null"),
            *((c.name, c.ddl) for c in _GRANT_ADDED),
            ("data", "blob not null"),
            _SYNC_ID,
            _DISCOVERED,
        ),
        (
            Index("idx_grants_resource_type_id_resource_id_v1", "resource_type_id, resource_id", deferrable=True),
            Index(
                "idx_grants_principal_id_v1",
                "principal_resource_type_id, principal_resource_id",
                deferrable=True,
            ),
            Index(
                "idx_grants_entitlement_id_principal_id_v1",
                "entitlement_id, principal_resource_type_id, principal_resource_id",
                deferrable=True,
            ),
            Index("idx_grants_external_sync_v1", "external_id, sync_id", unique=True),
            Index("idx_grants_entitlement_sync_grant_v1", "entitlement_id, sync_id, id", deferrable=True),
        ),
        added_columns=_GRANT_ADDED,
        # Partial indexes need the migrated columns, so they come after the ALTERs.
        added_indexes=(
            Index("idx_grants_sync_expansion_v1", "sync_id", where="expansion is not null"),
            Index("idx_grants_sync_needs_expansion_v1", "sync_id", where="needs_expansion = 1"),
        ),
    ),
    Table(
        ASSETS,
        (
            _ID,
            ("external_id", "text not null"),
            ("content_type", "text not null"),
            ("data", "blob not null"),
            _SYNC_ID,
            _DISCOVERED,
        ),
        (Index("idx_assets_external_sync_v1", "external_id, sync_id", unique=True),),
    ),
    Table(
        SESSIONS,
        (_ID, ("sync_id", "text not null"), ("key", "text not null"), ("value", "blob not null")),
        (Index("idx_session_store_sync_key_v1", "sync_id, key", unique=True),),
    ),
)


def ensure_schema(conn: sqlite3.Connection, *, with_deferrable: bool = True) -> None:
    """Create missing tables/indexes and add columns older files lack (idempotent).

    Runs in the caller's transaction state; DDL is cheap when everything exists.
    """
    for table in TABLES:
        conn.execute(table.create_ddl())
        for index in table.indexes:
            if with_deferrable or not index.deferrable:
                conn.execute(index.ddl(table.name))
        _add_missing_columns(conn, table)
        for index in table.added_indexes:
            conn.execute(index.ddl(table.name))


def deferrable_indexes() -> list[tuple[str, Index]]:
    return [(t.name, i) for t in TABLES for i in t.indexes if i.deferrable]


def drop_deferrable_indexes(conn: sqlite3.Connection) -> None:
    for _, index in deferrable_indexes():
        conn.execute(f"drop index if exists {index.name}")


EXPANSION_INDEX = "idx_grants_entitlement_sync_grant_v1"


def create_index(conn: sqlite3.Connection, name: str) -> None:
    """Build one deferred index ahead of the others (grant expansion reads by entitlement)."""
    for table, index in deferrable_indexes():
        if index.name == name:
            conn.execute(index.ddl(table))


def drop_indexes_readers_build(conn: sqlite3.Connection) -> None:
    """Drop the grant table's own indexes, which a c1z ships without (docs/protocol.md §1.3).

    Every reader builds them when it opens a file, as `ensure_schema` does here and the Go SDK's
    open does with the same `create ... if not exists` statements; in the file they were two
    thirds of its compressed size. The small partial indexes on the expansion columns stay.
    """
    for table in TABLES:
        if table.name == GRANTS:
            for index in table.indexes:
                conn.execute(f"drop index if exists {index.name}")


def create_deferrable_indexes(conn: sqlite3.Connection) -> None:
    for table, index in deferrable_indexes():
        conn.execute(index.ddl(table))


def _add_missing_columns(conn: sqlite3.Connection, table: Table) -> None:
    if not table.added_columns:
        return
    existing = column_names(conn, table.name)
    for column in table.added_columns:
        if column.name not in existing:
            conn.execute(f"alter table {table.name} add column {column.name} {column.ddl}")


def column_names(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"pragma table_info({table})")}


def table_names(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}


def has_v1_tables(conn: sqlite3.Connection) -> bool:
    """True when the database looks like a c1z v1 store (it has a sync_runs table)."""
    return SYNC_RUNS in table_names(conn)
