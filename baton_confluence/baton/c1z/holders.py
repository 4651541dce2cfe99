"""Scratch tables for grant expansion: the holders of each source entitlement, kept in SQLite.

Expansion derives one grant per (destination, holder of a source). Building each derived row
in Python costs more than writing it; with the holders in a temp table, one INSERT…SELECT per
destination and source makes SQLite build and write every row itself (the store's
`BulkDerivation`, see `c1z/expansion_store.py`). The caller supplies the pre-encoded parts of
each row (see `DerivedParts`); this module concatenates them around the grant id, which it
writes as a length-delimited field, and knows nothing else of the message.

Temp tables live in SQLite's temp database (a file, as `temp_store = file`), belong to this
connection only and vanish with it, so they never reach the c1z.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from baton_confluence.baton.c1z.schema import GRANTS
from baton_confluence.baton.expansion_contract import HolderSelection, KeyHash

HOLDERS = "temp.expansion_holders"
SKIPPED = "temp.expansion_skipped"

# Three bytes per length 0..MAX_ID_BYTES-1: the id field's tag and the length as a varint (one
# or two bytes, zero-padded), so SQL can splice a grant id's field header with one substr().
MAX_ID_BYTES = 1 << 14


def _id_headers(tag: bytes) -> bytes:
    return b"".join(
        tag + (bytes((n, 0)) if n < 0x80 else bytes(((n & 0x7F) | 0x80, n >> 7))) for n in range(MAX_ID_BYTES)
    )


def key_hash(ptype: str, pid: str) -> KeyHash:
    """A principal's key as one int, so key sets of big groups cost a third of the memory
    (collisions only cost speed: see `KeyHash`)."""
    return hash((ptype, pid))


@dataclass(frozen=True)
class Holder:
    """One principal holding a source entitlement, with the parts a derived grant copies."""

    ptype: str
    pid: str
    principal: bytes  # the encoded principal field, spliced unchanged into derived grants
    direct: bool  # holds the source directly (no sources, or the source among them)
    tail: bytes  # encoded fields after the id (annotations, sources) for a grant derived from it


@dataclass(frozen=True)
class DerivedParts:
    """What every grant derived into one destination shares."""

    resource_type_id: str
    resource_id: str
    entitlement_id: str
    head: bytes  # encoded fields before the principal (the entitlement)
    id_tag: bytes  # the one-byte tag of the grant id field
    sync_id: str
    discovered_at: str


def _where(selection: HolderSelection) -> tuple[str, dict[str, object]]:
    """SQL conditions on the holder alias `h` for a selection, with named parameters."""
    params: dict[str, object] = {"source": selection.source}
    sql = "h.source = :source"
    if selection.principal_types:
        names = [f"ptype{n}" for n in range(len(selection.principal_types))]
        params.update(zip(names, selection.principal_types, strict=True))
        sql += f" and h.ptype in ({', '.join(':' + name for name in names)})"
    if selection.direct_only:
        sql += " and h.direct = 1"
    return sql, params


_INSERT_DERIVED = f"""
insert into {GRANTS} (resource_type_id, resource_id, entitlement_id, principal_resource_type_id,
    principal_resource_id, external_id, data, sync_id, discovered_at)
select :rt, :rid, :eid, h.ptype, h.pid, :eid || h.suffix,
    cast(:head || h.principal
         || substr(:id_headers, 3 * (:eid_len + h.suffix_len) + 1, case when :eid_len + h.suffix_len < 128 then 2 else 3 end)
         || :eid || h.id_rest as blob),
    :sync_id, :now
from {HOLDERS} h
where {{where}}{{skip}}
order by h.ptype, h.pid{{upsert}}
"""
_UPSERT = "\non conflict (external_id, sync_id) do update set data = excluded.data"
_NOT_SKIPPED = f" and h.key_hash not in (select key_hash from {SKIPPED})"


class HolderTable:
    """The holders of source entitlements, loaded once per source and reused by every destination."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.loaded: set[str] = set()
        self.max_suffix: dict[str, int] = {}
        self.repeated: dict[str, frozenset[KeyHash]] = {}  # source -> principals with several grants of it
        self._headers: tuple[bytes, bytes] | None = None
        self._skipped: frozenset[KeyHash] = frozenset()  # what the skip table holds
        conn.execute(
            "create temp table if not exists expansion_holders (source text not null, ptype text not null, "
            "pid text not null, principal blob not null, direct integer not null, suffix text not null, "
            "suffix_len integer not null, id_rest blob not null, key_hash integer not null)"
        )
        conn.execute("create index if not exists temp.expansion_holders_key on expansion_holders (source, ptype, pid)")
        conn.execute("create index if not exists temp.expansion_holders_hash on expansion_holders (source, key_hash)")
        conn.execute("create temp table if not exists expansion_skipped (key_hash integer primary key)")
        conn.execute(f"delete from {HOLDERS}")
        conn.execute(f"delete from {SKIPPED}")

    @staticmethod
    def usable(conn: sqlite3.Connection) -> bool:
        """Splicing bytes through SQL text concatenation is exact only in a UTF-8 database."""
        return str(conn.execute("pragma encoding").fetchone()[0]).upper() == "UTF-8"

    def load(self, source: str, holders: Iterable[Holder]) -> None:
        widest = 0
        rows = []
        hashes = []
        for h in holders:
            suffix = f":{h.ptype}:{h.pid}"
            raw = suffix.encode()
            widest = max(widest, len(raw))
            hashed = key_hash(h.ptype, h.pid)
            hashes.append(hashed)
            rows.append((source, h.ptype, h.pid, h.principal, int(h.direct), suffix, len(raw), raw + h.tail, hashed))
        self.conn.executemany(f"insert into {HOLDERS} values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        self.loaded.add(source)
        self.max_suffix[source] = widest
        # Usually every principal holds a source once; only count when the set says otherwise.
        repeated = () if len(set(hashes)) == len(hashes) else (k for k, n in Counter(hashes).items() if n > 1)
        self.repeated[source] = frozenset(repeated)

    def forget(self, source: str) -> None:
        if source in self.loaded:
            self.conn.execute(f"delete from {HOLDERS} where source = ?", (source,))
            self.loaded.discard(source)
            self.max_suffix.pop(source, None)
            self.repeated.pop(source, None)

    def keys(self, selection: HolderSelection) -> frozenset[KeyHash]:
        where, params = _where(selection)
        return frozenset(
            row[0] for row in self.conn.execute(f"select h.key_hash from {HOLDERS} h where {where}", params)
        )

    def holders(self, selection: HolderSelection, among: AbstractSet[KeyHash] | None = None) -> list[Holder]:
        """The selected holders, in grant order; only those whose key hash is in `among`, if given
        (read through the skip table, so a big group is never read whole for a few keys)."""
        where, params = _where(selection)
        if among is None:
            return self._holders(f"from {HOLDERS} h where {where} order by h.rowid", params)
        self._skip(among)
        # CROSS JOIN keeps the few skipped keys as the outer loop: index probes, not a group scan.
        return self._holders(
            f"from {SKIPPED} s cross join {HOLDERS} h on h.key_hash = s.key_hash where {where} order by h.rowid",
            params,
        )

    def _holders(self, from_where: str, params: dict[str, object]) -> list[Holder]:
        sql = f"select h.ptype, h.pid, h.principal, h.direct, h.id_rest, h.suffix_len {from_where}"
        return [
            Holder(ptype, pid, principal, bool(direct), id_rest[suffix_len:])
            for ptype, pid, principal, direct, id_rest, suffix_len in self.conn.execute(sql, params)
        ]

    def fits(self, parts: DerivedParts, source: str) -> bool:
        """Whether every grant id derived from `source` has a length the SQL can encode."""
        return len(parts.entitlement_id.encode()) + self.max_suffix.get(source, 0) < MAX_ID_BYTES

    def insert_derived(
        self, parts: DerivedParts, selection: HolderSelection, excluding: AbstractSet[KeyHash], *, upsert: bool = True
    ) -> int:
        """Writes one derived grant per selected holder whose key hash is not in `excluding`,
        upserting by grant id when `upsert` (c1z/expansion_rows.py says when it is not needed);
        returns how many rows changed."""
        where, params = _where(selection)
        sql = _INSERT_DERIVED.format(where=where, skip=_NOT_SKIPPED if excluding else "", upsert=_UPSERT if upsert else "")
        self._skip(excluding)
        cursor = self.conn.execute(
            sql,
            {
                **params,
                "rt": parts.resource_type_id,
                "rid": parts.resource_id,
                "eid": parts.entitlement_id,
                "eid_len": len(parts.entitlement_id.encode()),
                "head": parts.head,
                "id_headers": self._id_headers(parts.id_tag),
                "sync_id": parts.sync_id,
                "now": parts.discovered_at,
            },
        )
        return int(cursor.rowcount)

    def _skip(self, keys: AbstractSet[KeyHash]) -> None:
        """Fill the skip table with `keys`. Expansion passes one set for every selection of a
        destination, to both the bulk insert and the holder read, so it is written once per
        destination rather than once per statement."""
        if keys is self._skipped or keys == self._skipped:
            return
        if self._skipped:
            self.conn.execute(f"delete from {SKIPPED}")
        if keys:
            self.conn.executemany(f"insert into {SKIPPED} values (?)", ((k,) for k in keys))
        self._skipped = frozenset(keys)

    def _id_headers(self, tag: bytes) -> bytes:
        if self._headers is None or self._headers[0] != tag:
            self._headers = (tag, _id_headers(tag))
        return self._headers[1]

    def close(self) -> None:
        self.conn.execute(f"drop table if exists {HOLDERS}")
        self.conn.execute(f"drop table if exists {SKIPPED}")
        self._skipped = frozenset()
        self.loaded.clear()
        self.max_suffix.clear()
        self.repeated.clear()
