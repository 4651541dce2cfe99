"""C1ZReader: read-only access to a c1z, choosing the sync the way Go readers do (docs/protocol.md §1.6).

The file is decoded into a private temporary SQLite file that is deleted on close; the
c1z itself is never modified. Without an explicit sync id, lists show the latest
finished full sync (else the latest unfinished one), while point lookups of resource
types, entitlements and grants use the latest finished sync of any type, as upstream does,
and then the latest full sync when that one (a partial sync, say) lacks the id.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from google.protobuf.message import Message

from baton_confluence.baton import pb
from baton_confluence.baton.c1z import container, db, stats
from baton_confluence.baton.c1z import sync_runs as runs
from baton_confluence.baton.c1z.errors import C1ZError
from baton_confluence.baton.c1z.schema import ENTITLEMENTS, GRANTS, RESOURCE_TYPES, RESOURCES
from baton_confluence.baton.c1z.sync_runs import SyncRun

M = TypeVar("M", bound=Message)

_ENTITLEMENT_CACHE = 1024
_EXPANDABLE_URL = pb.TYPE_URL_PREFIX + pb.grant_annotations.GrantExpandable.DESCRIPTOR.full_name


class C1ZReader:
    """A decoded c1z; use as a context manager or call close()."""

    def __init__(self, path: Path, conn: sqlite3.Connection, tmp_dir: Path, sync_id: str | None) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = conn
        self._tmp_dir = tmp_dir
        self.sync_id, self._point_sync_id = self._choose_syncs(sync_id)

    @classmethod
    def open(cls, path: Path | str, *, sync_id: str | None = None, tmp_dir: Path | None = None) -> C1ZReader:
        path = Path(path)
        if not path.is_file():
            raise C1ZError(f"{path}: no such c1z file; pass the file written by a sync (--file)")
        container.check_magic(path, container.read_magic(path))
        work = Path(tempfile.mkdtemp(prefix="c1z-read-", dir=tmp_dir))
        try:
            # A file handed to a reader may come from anywhere: the fixed cap applies.
            conn = db.decode_and_open(path, work / "db", writable=False, limit=container.DecodeLimit.env_cap())
            return cls(path, conn, work, sync_id)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        shutil.rmtree(self._tmp_dir, ignore_errors=True)

    def __enter__(self) -> C1ZReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError(f"the reader for {self.path} is closed")
        return self._conn

    def _choose_syncs(self, requested: str | None) -> tuple[str | None, str | None]:
        if requested:
            if runs.get(self.conn, requested) is None:
                self.close()
                raise C1ZError(f"{self.path}: has no sync {requested}; list the syncs it holds with `syncs`")
            return requested, requested
        unfinished = runs.latest_unfinished(self.conn, None)
        view = runs.latest_finished(self.conn, "full") or unfinished
        point = runs.latest_finished(self.conn, None) or unfinished
        return (view.id if view else None), (point.id if point else None)

    # ----------------------------------------------------------------- syncs and stats

    def syncs(self) -> list[SyncRun]:
        """Every sync in the file, oldest first."""
        return runs.list_all(self.conn)

    def sync(self, sync_id: str) -> SyncRun | None:
        """The sync with this id, or None when the file has none."""
        return runs.get(self.conn, sync_id)

    def latest_finished_full_sync(self, before: SyncRun | None = None) -> SyncRun | None:
        """The latest finished full sync (of those that ended before `before`, if given)."""
        return runs.latest_finished(self.conn, "full", before=before)

    def current_sync(self) -> SyncRun | None:
        return runs.get(self.conn, self.sync_id) if self.sync_id else None

    def stats_sync(self) -> SyncRun | None:
        """The sync `stats` describes: the selected one or, in a file without a full sync (say,
        only a `resources_only` one), the latest finished sync of any type, as the SDK's `baton` does."""
        return self.current_sync() or (runs.get(self.conn, self._point_sync_id) if self._point_sync_id else None)

    def stats(self) -> dict[str, Any]:
        """Counts of `stats_sync()`: the stored stats, or computed when absent (as Go does)."""
        run = self.stats_sync()
        if run is None:
            return {}
        if run.stats and run.stats.get("resource_types"):
            return run.stats
        return stats.compute(self.conn, run.id, run.type, run.sync_token).to_json_dict()

    # ----------------------------------------------------------------- lists

    def resource_types(self) -> Iterator[pb.resource.ResourceType]:
        return self._list(RESOURCE_TYPES, pb.resource.ResourceType, [])

    def resources(
        self, resource_type_id: str | None = None, parent: tuple[str, str] | None = None
    ) -> Iterator[pb.resource.Resource]:
        filters = _filters(resource_type_id=resource_type_id)
        if parent is not None:
            filters += [("parent_resource_type_id", parent[0]), ("parent_resource_id", parent[1])]
        return self._list(RESOURCES, pb.resource.Resource, filters)

    def entitlements(
        self, resource_type_id: str | None = None, resource_id: str | None = None
    ) -> Iterator[pb.entitlement.Entitlement]:
        filters = _filters(resource_type_id=resource_type_id, resource_id=resource_id)
        return self._list(ENTITLEMENTS, pb.entitlement.Entitlement, filters)

    def grants(
        self,
        entitlement_id: str | None = None,
        principal_type: str | None = None,
        principal_id: str | None = None,
        resource_type_id: str | None = None,
        resource_id: str | None = None,
        *,
        with_expansion: bool = False,
        full_entitlements: bool = False,
    ) -> Iterator[pb.grant.Grant]:
        """Grants in rowid order; `with_expansion` re-attaches the GrantExpandable annotation, and
        `full_entitlements` replaces the lean entitlement a grant embeds (baton/grant.py) with the
        sync's entitlement row, full resource included, when the sync has one."""
        filters = _filters(
            entitlement_id=entitlement_id,
            principal_resource_type_id=principal_type,
            principal_resource_id=principal_id,
            resource_type_id=resource_type_id,
            resource_id=resource_id,
        )
        where, params = self._where(filters, self.sync_id)
        sql = f"select data, expansion from {GRANTS}{where} order by id"
        # Grants come in runs of one entitlement, so a small cache finds nearly every one.
        found: dict[str, pb.entitlement.Entitlement | None] = {}
        for data, expansion in self.conn.execute(sql, params):
            grant = pb.grant.Grant.FromString(data)
            if with_expansion and expansion:
                _attach_expansion(grant, expansion)
            if full_entitlements:
                ent_id = grant.entitlement.id
                if ent_id not in found:
                    if len(found) >= _ENTITLEMENT_CACHE:
                        found.clear()
                    found[ent_id] = self._get(ENTITLEMENTS, pb.entitlement.Entitlement, [("external_id", ent_id)])
                full = found[ent_id]
                if full is not None:
                    grant.entitlement.CopyFrom(full)
            yield grant

    # ----------------------------------------------------------------- point lookups

    def get_resource_type(self, resource_type_id: str) -> pb.resource.ResourceType | None:
        return self._get(RESOURCE_TYPES, pb.resource.ResourceType, [("external_id", resource_type_id)])

    def get_resource(self, resource_type: str, resource_id: str) -> pb.resource.Resource | None:
        filters = [("resource_type_id", resource_type), ("external_id", f"{resource_type}:{resource_id}")]
        return self._get(RESOURCES, pb.resource.Resource, filters, sync_id=self.sync_id)

    def get_entitlement(self, entitlement_id: str) -> pb.entitlement.Entitlement | None:
        return self._get(ENTITLEMENTS, pb.entitlement.Entitlement, [("external_id", entitlement_id)])

    def get_grant(self, grant_id: str) -> pb.grant.Grant | None:
        return self._get(GRANTS, pb.grant.Grant, [("external_id", grant_id)])

    # ----------------------------------------------------------------- one given sync
    # What inspect's access views, diffs and review page ask of one named sync: no fallback to
    # another sync, each an indexed query.

    def resource_in(self, sync_id: str | None, resource_type: str, resource_id: str) -> pb.resource.Resource | None:
        row = self.conn.execute(
            f"select data from {RESOURCES} where external_id = ? and sync_id = ?",
            (f"{resource_type}:{resource_id}", sync_id),
        ).fetchone()
        return pb.resource.Resource.FromString(row[0]) if row else None

    def entitlement_in(self, sync_id: str | None, entitlement_id: str) -> pb.entitlement.Entitlement | None:
        row = self.conn.execute(
            f"select data from {ENTITLEMENTS} where external_id = ? and sync_id = ?", (entitlement_id, sync_id)
        ).fetchone()
        return pb.entitlement.Entitlement.FromString(row[0]) if row else None

    def entitlement_owner_in(self, sync_id: str | None, entitlement_id: str) -> tuple[str, str] | None:
        """(resource type, resource id) the entitlement belongs to, without decoding it."""
        row = self.conn.execute(
            f"select resource_type_id, resource_id from {ENTITLEMENTS} where external_id = ? and sync_id = ?",
            (entitlement_id, sync_id),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def has_entitlement_in(self, sync_id: str | None, entitlement_id: str) -> bool:
        row = self.conn.execute(
            f"select 1 from {ENTITLEMENTS} where external_id = ? and sync_id = ?", (entitlement_id, sync_id)
        ).fetchone()
        return row is not None

    def entitlements_in_id_order(self, sync_id: str | None) -> Iterator[pb.entitlement.Entitlement]:
        """A sync's entitlements by id: a resource's entitlements share its id as a prefix, so they come together."""
        rows = self.conn.execute(f"select data from {ENTITLEMENTS} where sync_id = ? order by external_id", (sync_id,))
        for (data,) in rows:
            yield pb.entitlement.Entitlement.FromString(data)

    def principal_has_grants_in(self, sync_id: str | None, principal_type: str, principal_id: str) -> bool:
        row = self.conn.execute(
            f"select 1 from {GRANTS} where principal_resource_type_id = ? and principal_resource_id = ? "
            "and sync_id = ? limit 1",
            (principal_type, principal_id, sync_id),
        ).fetchone()
        return row is not None

    def grant_parties_in(self, sync_id: str | None, grant_id: str) -> GrantParties | None:
        """Who holds what on which resource, from the grant's indexed columns (nothing decoded)."""
        row = self.conn.execute(
            f"select entitlement_id, resource_type_id, resource_id, principal_resource_type_id, principal_resource_id "
            f"from {GRANTS} where external_id = ? and sync_id = ?",
            (grant_id, sync_id),
        ).fetchone()
        return GrantParties(row[0], (row[1], row[2]), (row[3], row[4])) if row else None

    def grants_in(
        self,
        sync_id: str | None,
        *,
        principal: tuple[str, str] | None = None,
        entitlement_id: str | None = None,
        resource: tuple[str, str] | None = None,
        by_entitlement: bool = False,
    ) -> Iterator[tuple[str, pb.grant.Grant]]:
        """(entitlement id, grant) of one sync, at most one filter given, each in the order of an
        index (no sort): a principal's by resource and entitlement, an entitlement's by principal,
        a resource's by entitlement and principal; all of them by rowid, or by entitlement."""
        params: tuple[str, ...]
        if principal is not None:
            where, params = "principal_resource_type_id = ? and principal_resource_id = ?", principal
            order = "resource_type_id, resource_id, entitlement_id"
        elif entitlement_id is not None:
            where, params, order = (
                "entitlement_id = ?",
                (entitlement_id,),
                "principal_resource_type_id, principal_resource_id",
            )
        elif resource is not None:
            where, params = "resource_type_id = ? and resource_id = ?", resource
            order = "entitlement_id, principal_resource_type_id, principal_resource_id"
        else:
            where, params, order = "1 = 1", (), "entitlement_id, id" if by_entitlement else "id"
        sql = f"select entitlement_id, data from {GRANTS} where {where} and sync_id = ? order by {order}"
        for found_entitlement, data in self.conn.execute(sql, (*params, sync_id)):
            yield found_entitlement, pb.grant.Grant.FromString(data)

    def ids_compared(self, table: str, sync_id: str, other_sync_id: str, *, changed: bool) -> Iterator[str]:
        """Ids of `table` (resources, entitlements or grants) in `sync_id` that the other sync lacks,
        or (`changed`) holds with a different stored message; in id order."""
        sql, params = _comparison(table, sync_id, other_sync_id, "a.external_id", changed=changed)
        for (external_id,) in self.conn.execute(sql + " order by a.external_id", params):
            yield external_id

    def count_compared(self, table: str, sync_id: str, other_sync_id: str, *, changed: bool) -> int:
        """How many `ids_compared` lists."""
        sql, params = _comparison(table, sync_id, other_sync_id, "count(*)", changed=changed)
        return int(self.conn.execute(sql, params).fetchone()[0])

    # ----------------------------------------------------------------- internals

    def _where(self, filters: list[tuple[str, str]], sync_id: str | None) -> tuple[str, tuple[str, ...]]:
        # No sync at all means an empty file; like Go, do not filter by sync then.
        if sync_id is not None:
            filters = [*filters, ("sync_id", sync_id)]
        if not filters:
            return "", ()
        return " where " + " and ".join(f"{col} = ?" for col, _ in filters), tuple(v for _, v in filters)

    def _list(self, table: str, cls: type[M], filters: list[tuple[str, str]]) -> Iterator[M]:
        where, params = self._where(filters, self.sync_id)
        for (data,) in self.conn.execute(f"select data from {table}{where} order by id", params):
            yield cls.FromString(data)

    def _get(self, table: str, cls: type[M], filters: list[tuple[str, str]], *, sync_id: str | None = None) -> M | None:
        for candidate in self._lookup_syncs(sync_id):
            where, params = self._where(filters, candidate)
            row = self.conn.execute(f"select data from {table}{where} order by id limit 1", params).fetchone()
            if row is not None:
                return cls.FromString(row[0])
        return None

    def _lookup_syncs(self, sync_id: str | None) -> list[str | None]:
        """The syncs a point lookup tries: the one asked for; else, as Go does, the latest finished
        sync of any type, then the latest full sync. A partial sync (`--sync-resources`) holds
        only its own resources, so an id it lacks is looked up in the full sync it was made
        beside, which is what provisioning from the file needs."""
        if sync_id:
            return [sync_id]
        first = self._point_sync_id
        return [first] if self.sync_id in (None, first) else [first, self.sync_id]


@dataclass(frozen=True, slots=True)
class GrantParties:
    entitlement_id: str
    resource: tuple[str, str]  # (type, id)
    principal: tuple[str, str]


def _comparison(
    table: str, sync_id: str, other_sync_id: str, select: str, *, changed: bool
) -> tuple[str, tuple[str, ...]]:
    """Rows `a` of one sync that have (changed: with other data) or lack (not changed) a row of the
    same id in the other sync; each an indexed lookup per row."""
    if table not in (RESOURCES, ENTITLEMENTS, GRANTS):
        raise ValueError(f"not a table of synced objects: {table}")
    other = f"select 1 from {table} b where b.sync_id = ? and b.external_id = a.external_id"
    if changed:
        return f"select {select} from {table} a where a.sync_id = ? and exists ({other} and b.data != a.data)", (
            sync_id,
            other_sync_id,
        )
    return f"select {select} from {table} a where a.sync_id = ? and not exists ({other})", (sync_id, other_sync_id)


def _filters(**values: str | None) -> list[tuple[str, str]]:
    return [(column, value) for column, value in values.items() if value is not None]


def _attach_expansion(grant: pb.grant.Grant, expansion: bytes) -> None:
    """Put the stored GrantExpandable back as an annotation, replacing one of the same type."""
    for annotation in grant.annotations:
        if annotation.type_url == _EXPANDABLE_URL:
            annotation.value = expansion
            return
    grant.annotations.add(type_url=_EXPANDABLE_URL, value=expansion)
