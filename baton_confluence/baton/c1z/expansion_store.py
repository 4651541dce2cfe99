"""The c1z side of grant expansion: a sync's grants as an `ExpansionStore` (baton/expansion_contract.py).

Holders of each source entitlement are parsed once into the holder table (`c1z/holders.py`);
`BulkExpansionStore` adds the `BulkDerivation` capability, writing derived grants by SQL from
that table. Derived grants are spliced from pre-encoded parts (`c1z/wire.py`) and are byte for
byte what protobuf's deterministic serialisation of the same message gives, on either path.

Use it as a context manager: the holder table lives in SQLite's temp database until closed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from types import TracebackType

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.c1z.holders import DerivedParts, Holder, HolderTable, key_hash
from baton_confluence.baton.c1z.store import ExpandedGrantRow, SyncStore
from baton_confluence.baton.c1z.timefmt import now_str
from baton_confluence.baton.c1z.wire import length_delimited, top_level_fields
from baton_confluence.baton.expansion_contract import (
    DerivedGrant,
    ExpandableGrant,
    HeldGrant,
    HolderKeys,
    HolderSelection,
    Holding,
    KeyHash,
    PrincipalKey,
    holds_directly,
)
from baton_confluence.baton.grant import lean_entitlement

# Grant field numbers (proto/c1/connector/v2/grant.proto) the splicing relies on.
ENTITLEMENT, PRINCIPAL, GRANT_ID, ANNOTATIONS, SOURCES = 1, 2, 3, 4, 5
GRANT_FIELDS = frozenset({PRINCIPAL, SOURCES})
ID_TAG = bytes(((GRANT_ID << 3) | 2,))
IMMUTABLE_FIELD = length_delimited(ANNOTATIONS, ann.pack(pb.grant_annotations.GrantImmutable()).SerializeToString())
MAX_CACHED_SOURCE_SETS = 10_000


class GrantEncoder:
    """Builds derived grants' bytes from parts; most grants share a handful of source sets, so
    their encoded field is kept (per expansion run, within a bound)."""

    def __init__(self) -> None:
        self._sources: dict[tuple[tuple[str, bool], ...], bytes] = {}

    def sources_field(self, sources: dict[str, bool]) -> bytes:
        key = tuple(sorted(sources.items())) if len(sources) > 1 else tuple(sources.items())
        cached = self._sources.get(key)
        if cached is None:
            message = pb.grant.GrantSources()
            for name, direct in key:
                message.sources[name].is_direct = direct
            cached = length_delimited(SOURCES, message.SerializeToString(deterministic=True))
            if len(self._sources) < MAX_CACHED_SOURCE_SETS:
                self._sources[key] = cached
        return cached

    def holder(self, source: str, ptype: str, pid: str, data: bytes) -> Holder:
        """A stored grant of `source` as a holder, with the tail a grant derived from it carries."""
        spans = top_level_fields(data, GRANT_FIELDS)
        principal = spans.get(PRINCIPAL)
        span = spans.get(SOURCES)
        sources = pb.grant.GrantSources.FromString(data[span[1] : span[2]]).sources if span else {}
        direct = holds_directly(source, sources)
        return Holder(
            ptype=ptype,
            pid=pid,
            principal=data[principal[0] : principal[2]] if principal else b"",
            direct=direct,
            tail=IMMUTABLE_FIELD + self.sources_field({source: direct}),
        )

    def derived(self, parts: DerivedParts, grant: DerivedGrant) -> ExpandedGrantRow:
        ptype, pid = grant.principal
        grant_id = f"{parts.entitlement_id}:{ptype}:{pid}"
        data = b"".join(
            (parts.head, grant.principal_data, _id_field(grant_id), IMMUTABLE_FIELD, self.sources_field(grant.sources))
        )
        return (
            parts.resource_type_id,
            parts.resource_id,
            parts.entitlement_id,
            ptype,
            pid,
            grant_id,
            data,
            parts.sync_id,
            parts.discovered_at,
        )


def _id_field(grant_id: str) -> bytes:
    raw = grant_id.encode()
    if len(raw) < 0x80:  # the usual case: a one-byte length
        return ID_TAG + bytes((len(raw),)) + raw
    return length_delimited(GRANT_ID, raw)


class C1zExpansionStore:
    """The current sync of a `SyncStore`, as grant expansion reads and writes it."""

    def __init__(self, store: SyncStore) -> None:
        self.store = store
        store.begin_expansion()
        self.table = store.holder_table()
        self.encoder = GrantEncoder()
        self._owners: dict[str, PrincipalKey | None] = {}
        self._stale: set[str] = set()  # entitlements written since their holders were loaded
        self._parts: DerivedParts | None = None
        self._fetched: tuple[str, pb.entitlement.Entitlement | None] = ("", None)
        # The destination whose held grants were last listed: principal -> row ids, and the
        # grants handed out by held_grants (by id) until set_sources stores them.
        self._held_of = ""
        self._held_rows: dict[PrincipalKey, list[int]] = {}
        self._handed_out: dict[str, tuple[int, pb.grant.Grant]] = {}

    def __enter__(self) -> C1zExpansionStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.table.close()
        self.store.end_expansion()

    # ------------------------------------------------------------------ ExpansionStore

    def expandable_grants(self) -> Iterator[ExpandableGrant]:
        for _rowid, grant, expandable in self.store.iter_expandable_grants():
            yield ExpandableGrant(
                grant_id=grant.id,
                entitlement_id=grant.entitlement.id,
                principal=(grant.principal.id.resource_type, grant.principal.id.resource),
                sources=tuple(expandable.entitlement_ids),
                shallow=expandable.shallow,
                principal_types=tuple(expandable.resource_type_ids),
            )

    def entitlement_owner(self, entitlement_id: str) -> PrincipalKey | None:
        if entitlement_id not in self._owners:
            found = self.store.get_entitlement(entitlement_id)
            owner = None if found is None else (found.resource.id.resource_type, found.resource.id.resource)
            self._owners[entitlement_id] = owner
            self._fetched = (entitlement_id, found)  # the destination's parts usually come next
        return self._owners[entitlement_id]

    def holder_keys(self, selection: HolderSelection) -> HolderKeys:
        if selection.source in self._stale:  # written since loaded: read its holders afresh
            self.table.forget(selection.source)
            self._stale.discard(selection.source)
        self._load(selection.source)
        keys = self.table.keys(selection)
        return HolderKeys(keys, self.table.repeated[selection.source] & keys)

    def holders(self, selection: HolderSelection, among: frozenset[KeyHash] | None = None) -> list[Holding]:
        self._load(selection.source)
        return [Holding((h.ptype, h.pid), h.direct, h.principal) for h in self.table.holders(selection, among)]

    def held_keys(self, entitlement_id: str) -> frozenset[KeyHash]:
        rows: dict[PrincipalKey, list[int]] = defaultdict(list)
        for rowid, ptype, pid in self.store.iter_grant_keys_for_entitlement(entitlement_id):
            rows[(ptype, pid)].append(rowid)
        self._held_of, self._held_rows = entitlement_id, rows
        self._handed_out.clear()
        return frozenset(key_hash(ptype, pid) for ptype, pid in rows)

    def held_grants(self, entitlement_id: str, principals: Collection[PrincipalKey]) -> Iterator[HeldGrant]:
        if self._held_of != entitlement_id:
            self.held_keys(entitlement_id)
        rows = self._held_rows
        for principal in principals:
            for rowid in rows.get(principal, ()):
                grant = pb.grant.Grant.FromString(self.store.grant_data(rowid))
                self._handed_out[grant.id] = (rowid, grant)
                sources = {name: source.is_direct for name, source in grant.sources.sources.items()}
                yield HeldGrant(grant.id, principal, sources)

    def add_derived(self, entitlement_id: str, grants: Iterable[DerivedGrant]) -> None:
        parts = self._parts_for(entitlement_id)
        encode = self.encoder.derived
        self.store.insert_expanded_rows(entitlement_id, (encode(parts, grant) for grant in grants))
        self._stale.add(entitlement_id)

    def set_sources(self, entitlement_id: str, grants: Iterable[HeldGrant]) -> None:
        for held in grants:
            rowid, grant = self._handed_out.pop(held.grant_id)
            grant.sources.sources.clear()
            for name, direct in held.sources.items():
                grant.sources.sources[name].is_direct = direct
            self.store.update_grant_data(rowid, grant.SerializeToString(deterministic=True))
            self._stale.add(entitlement_id)

    # ------------------------------------------------------------------ internals

    def _load(self, source: str) -> None:
        """Holders and bulk derivation read the holders as `holder_keys` last loaded them, so that
        within one destination they agree with its key sets even when the destination is its
        own source and has just been written."""
        if source not in self.table.loaded:
            holder = self.encoder.holder
            rows = self.store.iter_grant_rows_for_entitlement(source)
            self.table.load(source, (holder(source, ptype, pid, data) for _rowid, ptype, pid, data in rows))

    def _parts_for(self, entitlement_id: str) -> DerivedParts:
        if self._parts is None or self._parts.entitlement_id != entitlement_id:
            fetched_id, entitlement = self._fetched
            if fetched_id != entitlement_id:
                entitlement = self.store.get_entitlement(entitlement_id)
            if entitlement is None:
                raise KeyError(f"no entitlement {entitlement_id} in this sync")
            resource_id = entitlement.resource.id
            self._parts = DerivedParts(
                resource_type_id=resource_id.resource_type,
                resource_id=resource_id.resource,
                entitlement_id=entitlement_id,
                # Derived grants embed their entitlement lean, as connector grants do (baton/grant.py).
                head=length_delimited(ENTITLEMENT, lean_entitlement(entitlement).SerializeToString(deterministic=True)),
                id_tag=ID_TAG,
                sync_id=self.store.sync_id,
                discovered_at=now_str(),
            )
        return self._parts


class BulkExpansionStore(C1zExpansionStore):
    """A c1z expansion store that also derives whole selections by SQL (`BulkDerivation`)."""

    def derive_in_bulk(
        self, entitlement_id: str, selection: HolderSelection, excluding: frozenset[KeyHash]
    ) -> int | None:
        self._load(selection.source)
        parts = self._parts_for(entitlement_id)
        if not self.table.fits(parts, selection.source):
            return None
        with self.store.writing_derived(entitlement_id):
            written = self.table.insert_derived(parts, selection, excluding, upsert=self.store.derived_upserts())
        self._stale.add(entitlement_id)
        return written


def open_expansion_store(store: SyncStore, *, bulk: bool = True) -> C1zExpansionStore:
    """The store expansion runs on; with `bulk`, the SQL capability whenever the database allows it
    (tests pass bulk=False to check both give the same rows)."""
    if bulk and HolderTable.usable(store.conn):
        return BulkExpansionStore(store)
    return C1zExpansionStore(store)
