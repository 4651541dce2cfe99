"""Grant expansion (protocol.md §2.2): a grant carrying GrantExpandable{S} on entitlement D means
every holder of S also holds D. Derived grants get id `D:<type>:<id>`, the full entitlement D,
the source grant's principal, `sources = {S: is_direct}` and GrantImmutable; principals that
already hold D get S added to their sources instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.c1z.store import SyncStore
from baton_confluence.baton.ids import grant_id
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


def expand_grants(store: SyncStore) -> int:
    """Expands every expandable grant in the store's current sync; returns how many grants it added."""
    edges = _load_edges(store)
    added = 0
    for component in _components_in_order(edges):
        rounds = MAX_CYCLE_ROUNDS if _is_cycle(component, edges) else 1
        for _ in range(rounds):
            changed = 0
            for destination in component:
                if destination in edges:
                    new, updated = _expand_into(store, destination, edges[destination])
                    added += new
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


def _sources_of(raw: bytes | None) -> dict[str, bool]:
    if not raw:
        return {}
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
        self.new: dict[tuple[str, str], tuple[bytes, dict[str, bool]]] = {}

    def add(self, source: str, key: tuple[str, str], principal: bytes, is_direct: bool) -> None:
        if key in self.existing:
            for rowid, data in self.existing[key]:
                grant = self.updated.get(rowid) or pb.grant.Grant.FromString(data)
                if _merge_source(grant, self.entitlement.id, source, is_direct):
                    self.updated[rowid] = grant
        elif key in self.new:
            sources = self.new[key][1]
            sources[source] = sources.get(source, False) or is_direct
        else:
            self.new[key] = (principal, {source: is_direct})

    def flush(self) -> tuple[int, int]:
        resource_id = self.entitlement.resource.id
        rows = (
            (
                resource_id.resource_type,
                resource_id.resource,
                self.entitlement.id,
                ptype,
                pid,
                gid,
                self.prefix
                + length_delimited(PRINCIPAL, principal)
                + length_delimited(3, gid.encode())
                + IMMUTABLE_FIELD
                + length_delimited(SOURCES, _encode_sources(sources)),
            )
            for (ptype, pid), (principal, sources) in self.new.items()
            for gid in (grant_id(self.entitlement.id, ptype, pid),)
        )
        self.store.insert_expanded_grants(rows)
        for rowid, grant in self.updated.items():
            self.store.update_grant_data(rowid, grant.SerializeToString(deterministic=True))
        return len(self.new), len(self.updated)


_SOURCES_CACHE: dict[tuple[tuple[str, bool], ...], bytes] = {}


def _encode_sources(sources: dict[str, bool]) -> bytes:
    key = tuple(sorted(sources.items()))
    cached = _SOURCES_CACHE.get(key)
    if cached is None:
        message = pb.grant.GrantSources()
        for name, direct in key:
            message.sources[name].is_direct = direct
        cached = message.SerializeToString(deterministic=True)
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


def _expand_into(store: SyncStore, destination: str, incoming: list[Edge]) -> tuple[int, int]:
    entitlement = store.get_entitlement(destination)
    if entitlement is None:
        return 0, 0
    target = _Destination(store, entitlement)
    for edge in incoming:
        for _rowid, ptype, pid, data in list(store.iter_grant_rows_for_entitlement(edge.source)):
            if edge.principal_types and ptype not in edge.principal_types:
                continue
            fields = top_level_fields(data, GRANT_FIELDS)
            sources = _sources_of(fields.get(SOURCES))
            is_direct = not sources or edge.source in sources
            if edge.shallow and not is_direct:
                continue
            target.add(edge.source, (ptype, pid), fields.get(PRINCIPAL, b""), is_direct)
    return target.flush()
