"""Grant expansion (protocol.md §2.2): a grant carrying GrantExpandable{S} on entitlement D means
every holder of S also holds D. Derived grants get id `D:<type>:<id>`, the full entitlement D,
the source grant's principal, `sources = {S: is_direct}` and GrantImmutable; principals that
already hold D get S added to their sources instead.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.c1z.store import SyncStore
from baton_confluence.baton.c1z.timefmt import now_str
from baton_confluence.baton.sync.client import SyncError
from baton_confluence.baton.sync.wire import length_delimited, top_level_fields

MAX_CYCLE_ROUNDS = 20
PRINCIPAL, SOURCES = 2, 5
GRANT_FIELDS = frozenset({PRINCIPAL, SOURCES})
IMMUTABLE_FIELD = length_delimited(4, ann.pack(pb.grant_annotations.GrantImmutable()).SerializeToString())


@dataclass(frozen=True)
class Edge:
    source: str
    shallow: bool
    principal_types: tuple[str, ...]


class ExpansionStopped(Exception):
    """Expansion was asked to stop (the sync is being cancelled); rerunning it is safe."""


def expand_grants(
    store: SyncStore, on_added: Callable[[int], None] | None = None, stop: threading.Event | None = None
) -> int:
    """Expands every expandable grant in the store's current sync; returns how many grants it added.

    Runs in a worker thread during a sync: `on_added` reports progress, `stop` is checked
    between destinations. Expansion is idempotent, so a stopped one is simply run again.
    """
    edges = _load_edges(store)
    return _expand_components(store, edges, on_added or (lambda _n: None), stop or threading.Event())


def _expand_components(
    store: SyncStore, edges: dict[str, list[Edge]], on_added: Callable[[int], None], stop: threading.Event
) -> int:
    sources = _SourceGrants(store)
    added = 0
    for component in _components_in_order(edges):
        rounds = MAX_CYCLE_ROUNDS if _is_cycle(component, edges) else 1
        for _ in range(rounds):
            changed = 0
            for destination in component:
                if destination in edges:
                    if stop.is_set():
                        raise ExpansionStopped()
                    new, updated = _expand_into(store, sources, destination, edges[destination])
                    added += new
                    on_added(new)
                    changed += new + updated
            if not changed:
                break
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
    """Everything known about the holders of one destination entitlement while expanding into it."""

    def __init__(self, store: SyncStore, entitlement: pb.entitlement.Entitlement) -> None:
        self.store = store
        self.entitlement = entitlement
        self.prefix = length_delimited(1, entitlement.SerializeToString(deterministic=True))
        self.existing: dict[tuple[str, str], list[tuple[int, bytes]]] = defaultdict(list)
        for rowid, ptype, pid, data in store.iter_grant_rows_for_entitlement(entitlement.id):
            self.existing[(ptype, pid)].append((rowid, data))
        self.updated: dict[int, pb.grant.Grant] = {}
        # principal -> (its encoded Grant.principal field, sources)
        self.new: dict[tuple[str, str], tuple[bytes, dict[str, bool]]] = {}

    def add(self, source: str, key: tuple[str, str], principal_field: bytes, is_direct: bool) -> None:
        if key in self.existing:
            for rowid, data in self.existing[key]:
                grant = self.updated.get(rowid) or pb.grant.Grant.FromString(data)
                if _merge_source(grant, self.entitlement.id, source, is_direct):
                    self.updated[rowid] = grant
        elif key in self.new:
            sources = self.new[key][1]
            sources[source] = sources.get(source, False) or is_direct
        else:
            self.new[key] = (principal_field, {source: is_direct})

    def flush(self) -> tuple[int, int]:
        resource_id = self.entitlement.resource.id
        rt, rid, eid = resource_id.resource_type, resource_id.resource, self.entitlement.id
        head = self.prefix
        id_prefix = eid + ":"
        sync_id, now = self.store.sync_id, now_str()
        rows = (
            (
                rt,
                rid,
                eid,
                ptype,
                pid,
                gid,
                b"".join((head, principal_field, _id_field(gid), IMMUTABLE_FIELD, _sources_field(sources))),
                sync_id,
                now,
            )
            for (ptype, pid), (principal_field, sources) in sorted(self.new.items())
            for gid in (id_prefix + ptype + ":" + pid,)
        )
        self.store.insert_expanded_rows(rows)
        for rowid, grant in self.updated.items():
            self.store.update_grant_data(rowid, grant.SerializeToString(deterministic=True))
        return len(self.new), len(self.updated)


def _id_field(grant_id: str) -> bytes:
    raw = grant_id.encode()
    if len(raw) < 0x80:  # the usual case: a one-byte length
        return b"\x1a" + bytes((len(raw),)) + raw
    return length_delimited(3, raw)


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


def _expand_into(store: SyncStore, holders: _SourceGrants, destination: str, incoming: list[Edge]) -> tuple[int, int]:
    entitlement = store.get_entitlement(destination)
    if entitlement is None:
        return 0, 0
    target = _Destination(store, entitlement)
    for edge in incoming:
        for ptype, pid, principal_field, sources in holders.of(edge.source):
            if edge.principal_types and ptype not in edge.principal_types:
                continue
            is_direct = not sources or edge.source in sources
            if edge.shallow and not is_direct:
                continue
            target.add(edge.source, (ptype, pid), principal_field, is_direct)
    holders.forget(destination)  # its grants just changed
    return target.flush()


SourceHolder = tuple[str, str, bytes, dict[str, bool]]


class _SourceGrants:
    """The holders of source entitlements, parsed once and reused by every destination.

    A group's member grants feed every space permission granted to that group; reading and
    parsing them once per group instead of once per permission is most of expansion's speed.
    Bounded by a total holder count so huge sites keep a fixed memory ceiling.
    """

    MAX_HOLDERS = 300_000

    def __init__(self, store: SyncStore) -> None:
        self.store = store
        self.cached: dict[str, list[SourceHolder]] = {}
        self.size = 0

    def of(self, source: str) -> list[SourceHolder]:
        found = self.cached.get(source)
        if found is None:
            found = [
                _parse_holder(ptype, pid, data)
                for _, ptype, pid, data in self.store.iter_grant_rows_for_entitlement(source)
            ]
            while self.cached and self.size + len(found) > self.MAX_HOLDERS:
                oldest = next(iter(self.cached))
                self.size -= len(self.cached.pop(oldest))
            if len(found) <= self.MAX_HOLDERS:
                self.cached[source] = found
                self.size += len(found)
        return found

    def forget(self, entitlement_id: str) -> None:
        dropped = self.cached.pop(entitlement_id, None)
        if dropped is not None:
            self.size -= len(dropped)


def _parse_holder(ptype: str, pid: str, data: bytes) -> SourceHolder:
    spans = top_level_fields(data, GRANT_FIELDS)
    principal = spans.get(PRINCIPAL)
    principal_field = data[principal[0] : principal[2]] if principal else b""
    return ptype, pid, principal_field, _sources_of(data, spans.get(SOURCES))
