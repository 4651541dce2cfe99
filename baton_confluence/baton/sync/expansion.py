"""Grant expansion (protocol.md §2.2): a grant carrying GrantExpandable{S} on entitlement D means
every holder of S also holds D. Derived grants get id `D:<type>:<id>`, the full entitlement D,
the source grant's principal, `sources = {S: is_direct}` and GrantImmutable; principals that
already hold D get S added to their sources instead.

Speed. The holders of each source are parsed once into a holder table (`c1z/holders.py`).
A principal reached through one source only, who does not hold D yet, gets a derived grant
built and written by SQL from that table, one INSERT…SELECT per (destination, source); only
principals that need merging (several sources, or an existing grant of D) pass through Python.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.c1z.holders import DerivedParts, Holder, HolderFilter, HolderTable, KeyHash, key_hash
from baton_confluence.baton.c1z.store import SyncStore
from baton_confluence.baton.c1z.timefmt import now_str
from baton_confluence.baton.sync.client import SyncError
from baton_confluence.baton.sync.wire import length_delimited, top_level_fields

MAX_CYCLE_ROUNDS = 20
Key = tuple[str, str]  # (principal type, principal id)
PRINCIPAL, GRANT_ID, SOURCES = 2, 3, 5
GRANT_FIELDS = frozenset({PRINCIPAL, SOURCES})
ID_TAG = bytes(((GRANT_ID << 3) | 2,))
IMMUTABLE_FIELD = length_delimited(4, ann.pack(pb.grant_annotations.GrantImmutable()).SerializeToString())


@dataclass(frozen=True)
class Edge:
    source: str
    shallow: bool
    principal_types: tuple[str, ...]


class ExpansionStopped(Exception):
    """Expansion was asked to stop (the sync is being cancelled); rerunning it is safe."""


def expand_grants(
    store: SyncStore,
    on_added: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
    *,
    splice_in_sql: bool = True,
) -> int:
    """Expands every expandable grant in the store's current sync; returns how many grants it added.

    Runs in a worker thread during a sync: `on_added` reports progress, `stop` is checked
    between destinations. Expansion is idempotent, so a stopped one is simply run again.
    `splice_in_sql=False` (used by tests to cross-check) builds every derived grant in Python.
    """
    edges = _load_edges(store)
    in_sql = splice_in_sql and HolderTable.usable(store.conn)
    return _expand_components(store, edges, on_added or (lambda _n: None), stop or threading.Event(), in_sql)


def _expand_components(
    store: SyncStore,
    edges: dict[str, list[Edge]],
    on_added: Callable[[int], None],
    stop: threading.Event,
    in_sql: bool,
) -> int:
    sources = _Sources(store, store.holder_table())
    added = 0
    try:
        for component in _components_in_order(edges):
            rounds = MAX_CYCLE_ROUNDS if _is_cycle(component, edges) else 1
            for _ in range(rounds):
                changed = 0
                for destination in component:
                    if destination in edges:
                        if stop.is_set():
                            raise ExpansionStopped()
                        new, updated = _expand_into(store, sources, destination, edges[destination], in_sql)
                        added += new
                        on_added(new)
                        changed += new + updated
                if not changed:
                    break
    finally:
        sources.table.close()
    return added


def _load_edges(store: SyncStore) -> dict[str, list[Edge]]:
    edges: dict[str, dict[str, Edge]] = defaultdict(dict)
    known: dict[str, pb.entitlement.Entitlement | None] = {}
    for _rowid, grant, expandable in store.iter_expandable_grants():
        for source in expandable.entitlement_ids:
            if not source.strip():
                continue
            if source not in known:
                known[source] = store.get_entitlement(source)
            entitlement = known[source]
            if entitlement is None:
                continue  # upstream drops edges whose source entitlement was not synced
            if entitlement.resource.id.resource_type != grant.principal.id.resource_type or (
                entitlement.resource.id.resource != grant.principal.id.resource
            ):
                raise SyncError(
                    f"grant {grant.id}: source entitlement {source} does not belong to the grant's principal "
                    f"{grant.principal.id.resource_type}:{grant.principal.id.resource}"
                )
            edge = Edge(source, expandable.shallow, tuple(expandable.resource_type_ids))
            edges[grant.entitlement.id][source] = edge
    return {dest: list(by_source.values()) for dest, by_source in edges.items()}


def _components_in_order(edges: dict[str, list[Edge]]) -> list[list[str]]:
    """Strongly connected components of the source→destination graph, sources first (Tarjan)."""
    graph: dict[str, list[str]] = defaultdict(list)
    for dest, incoming in edges.items():
        for edge in incoming:
            graph[edge.source].append(dest)
        graph.setdefault(dest, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    order: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                order.append(sorted(component))
    order.reverse()  # Tarjan emits sinks first
    return order


def _is_cycle(component: list[str], edges: dict[str, list[Edge]]) -> bool:
    if len(component) > 1:
        return True
    node = component[0]
    return any(edge.source == node for edge in edges.get(node, []))


def _sources_of(data: bytes, span: tuple[int, int, int] | None) -> dict[str, bool]:
    if span is None:
        return {}
    raw = data[span[1] : span[2]]
    return {key: value.is_direct for key, value in pb.grant.GrantSources.FromString(raw).sources.items()}


class _Destination:
    """One destination entitlement while expanding into it, for the principals that need merging:
    those already holding it and those reached through more than one source."""

    def __init__(self, store: SyncStore, entitlement: pb.entitlement.Entitlement) -> None:
        self.store = store
        self.entitlement = entitlement
        resource_id = entitlement.resource.id
        self.parts = DerivedParts(
            resource_type_id=resource_id.resource_type,
            resource_id=resource_id.resource,
            entitlement_id=entitlement.id,
            head=length_delimited(1, entitlement.SerializeToString(deterministic=True)),
            id_tag=ID_TAG,
            sync_id=store.sync_id,
            discovered_at=now_str(),
        )
        self.existing: dict[Key, list[int]] = defaultdict(list)
        for rowid, ptype, pid in store.iter_grant_keys_for_entitlement(entitlement.id):
            self.existing[(ptype, pid)].append(rowid)
        self.existing_hashes = frozenset(key_hash(ptype, pid) for ptype, pid in self.existing)
        self.updated: dict[int, pb.grant.Grant] = {}
        # principal -> (its encoded Grant.principal field, sources)
        self.new: dict[Key, tuple[bytes, dict[str, bool]]] = {}

    def add(self, source: str, key: Key, principal_field: bytes, is_direct: bool) -> None:
        if key in self.existing:
            for rowid in self.existing[key]:
                grant = self.updated.get(rowid) or pb.grant.Grant.FromString(self.store.grant_data(rowid))
                if _merge_source(grant, self.entitlement.id, source, is_direct):
                    self.updated[rowid] = grant
        elif key in self.new:
            sources = self.new[key][1]
            sources[source] = sources.get(source, False) or is_direct
        else:
            self.new[key] = (principal_field, {source: is_direct})

    def flush(self) -> tuple[int, int]:
        parts = self.parts
        head, eid = parts.head, parts.entitlement_id
        rows = (
            (
                parts.resource_type_id,
                parts.resource_id,
                eid,
                ptype,
                pid,
                gid,
                b"".join((head, principal_field, _id_field(gid), IMMUTABLE_FIELD, _sources_field(sources))),
                parts.sync_id,
                parts.discovered_at,
            )
            for (ptype, pid), (principal_field, sources) in sorted(self.new.items())
            for gid in (f"{eid}:{ptype}:{pid}",)
        )
        self.store.insert_expanded_rows(rows)
        for rowid, grant in self.updated.items():
            self.store.update_grant_data(rowid, grant.SerializeToString(deterministic=True))
        return len(self.new), len(self.updated)


def _id_field(grant_id: str) -> bytes:
    raw = grant_id.encode()
    if len(raw) < 0x80:  # the usual case: a one-byte length
        return ID_TAG + bytes((len(raw),)) + raw
    return length_delimited(GRANT_ID, raw)


_SOURCES_CACHE: dict[tuple[tuple[str, bool], ...], bytes] = {}


def _sources_field(sources: dict[str, bool]) -> bytes:
    """The encoded Grant.sources field; most grants share a handful of source sets, so cache them."""
    key = tuple(sorted(sources.items())) if len(sources) > 1 else tuple(sources.items())
    cached = _SOURCES_CACHE.get(key)
    if cached is None:
        message = pb.grant.GrantSources()
        for name, direct in key:
            message.sources[name].is_direct = direct
        cached = length_delimited(SOURCES, message.SerializeToString(deterministic=True))
        if len(_SOURCES_CACHE) < 10_000:
            _SOURCES_CACHE[key] = cached
    return cached


def _merge_source(grant: pb.grant.Grant, destination: str, source: str, is_direct: bool) -> bool:
    sources = grant.sources.sources
    changed = False
    if not sources:
        sources[destination].is_direct = True
        changed = True
    if source not in sources:
        sources[source].is_direct = is_direct
        changed = True
    elif is_direct and not sources[source].is_direct:
        sources[source].is_direct = True
        changed = True
    return changed


def _expand_into(
    store: SyncStore, sources: _Sources, destination: str, incoming: list[Edge], in_sql: bool
) -> tuple[int, int]:
    entitlement = store.get_entitlement(destination)
    if entitlement is None:
        return 0, 0
    target = _Destination(store, entitlement)
    selections = [HolderFilter(edge.source, edge.principal_types, direct_only=edge.shallow) for edge in incoming]
    key_sets = [sources.keys(selection) for selection in selections]
    merging = _needing_merge(key_sets, target.existing_hashes)
    added = 0
    for selection, keys in zip(selections, key_sets, strict=True):
        if in_sql and sources.table.fits(target.parts, selection.source):
            written, to_merge = sources.table.insert_derived(target.parts, selection, keys & merging)
            added += written
        else:
            to_merge = sources.table.holders(selection)
        for holder in to_merge:
            target.add(selection.source, (holder.ptype, holder.pid), holder.principal, holder.direct)
    new, updated = target.flush()
    sources.forget(destination)  # its grants just changed
    return added + new, updated


def _needing_merge(key_sets: list[frozenset[KeyHash]], existing: frozenset[KeyHash]) -> frozenset[KeyHash]:
    """Principals reached through more than one source, or already holding the destination."""
    seen: set[KeyHash] = set()
    merging: set[KeyHash] = set()
    for keys in key_sets:
        merging |= keys & seen
        seen |= keys
    merging |= seen.intersection(existing)
    return frozenset(merging)


class _Sources:
    """The holders of source entitlements, parsed once into the holder table and reused by every
    destination. The key sets of the selections in use are cached within a total size bound, so
    huge sites keep a fixed memory ceiling."""

    MAX_CACHED_KEYS = 300_000

    def __init__(self, store: SyncStore, table: HolderTable) -> None:
        self.store = store
        self.table = table
        self.cached: dict[HolderFilter, frozenset[KeyHash]] = {}
        self.size = 0

    def keys(self, selection: HolderFilter) -> frozenset[KeyHash]:
        found = self.cached.get(selection)
        if found is not None:
            return found
        if selection.source not in self.table.loaded:
            rows = self.store.iter_grant_rows_for_entitlement(selection.source)
            self.table.load(selection.source, (_holder(selection.source, *row[1:]) for row in rows))
        found = self.table.keys(selection)
        while self.cached and self.size + len(found) > self.MAX_CACHED_KEYS:
            self.size -= len(self.cached.pop(next(iter(self.cached))))
        if len(found) <= self.MAX_CACHED_KEYS:
            self.cached[selection] = found
            self.size += len(found)
        return found

    def forget(self, entitlement_id: str) -> None:
        if entitlement_id not in self.table.loaded:
            return  # key sets are only cached for loaded sources; most destinations are not sources
        self.table.forget(entitlement_id)
        for selection in [s for s in self.cached if s.source == entitlement_id]:
            self.size -= len(self.cached.pop(selection))


def _holder(source: str, ptype: str, pid: str, data: bytes) -> Holder:
    spans = top_level_fields(data, GRANT_FIELDS)
    principal = spans.get(PRINCIPAL)
    sources = _sources_of(data, spans.get(SOURCES))
    direct = not sources or source in sources
    return Holder(
        ptype=ptype,
        pid=pid,
        principal=data[principal[0] : principal[2]] if principal else b"",
        direct=direct,
        tail=IMMUTABLE_FIELD + _sources_field({source: direct}),
    )
