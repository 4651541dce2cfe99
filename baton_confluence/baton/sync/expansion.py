"""Grant expansion (docs/protocol.md §2.2), as an algorithm over an `ExpansionStore`.

A grant carrying GrantExpandable{S} on entitlement D means every holder of S also holds D.
A principal P reached that way who does not hold D yet gets a derived grant of D with
`sources = {S: is_direct}` (is_direct: P holds S directly); a principal that already holds D
gets S merged into its grant's sources instead (a grant with no sources first gets {D: true}).
When P is reached through S more than once, directly once is enough: is_direct only goes from
false to true.

The graph of entitlements (S -> D) is split into strongly connected components, handled
sources first, so each destination is expanded once its sources are complete. Within a component
(a cycle) a destination is expanded again whenever one of its sources changed, until nothing
changes: a true fixpoint, however long the cycle. That ends, because expansion only ever adds
(grants, sources, a source turning direct) and there is a finite number of each.

How many passes a member needs: what one pass brings travels one edge, so in a cycle of n
entitlements a principal's news reaches every member within n passes. A self-loop can turn a
principal's holding direct (its grant then lists the entitlement among its own sources), which
starts the travel again, at most once per member: n + 1 travels of at most n + 2 passes each.
`max_passes_per_member` is that, (n + 1)(n + 2), a safety bound that only a store whose writes
do not stick should reach: expansion then stops that component, logs a warning and names its
entitlements in the outcome (`ExpansionOutcome.unfinished`), which the engine adds to the
completeness report.

Speed. Most principals are reached through one source only and do not hold D yet: their
derived grants need no merging, so a store offering `BulkDerivation` writes them itself, and
only the principals that need merging come back here. A store without it hands every holder
here; the rules applied are the same.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import structlog

from baton_confluence.baton.expansion_contract import (
    BulkDerivation,
    DerivedGrant,
    ExpansionStore,
    HeldGrant,
    HolderKeys,
    HolderSelection,
    Holding,
    KeyHash,
    PrincipalKey,
)
from baton_confluence.baton.sync.client import SyncError

log = structlog.get_logger("baton.sync")


def max_passes_per_member(component_size: int) -> int:
    """The safety bound on how often one member of a cycle is expanded (see the module docstring)."""
    return (component_size + 1) * (component_size + 2)


@dataclass(frozen=True)
class Edge:
    """Holders of `source` (as selected) also hold the destination the edge is filed under."""

    source: str
    shallow: bool
    principal_types: tuple[str, ...]

    def selection(self) -> HolderSelection:
        return HolderSelection(self.source, self.principal_types, direct_only=self.shallow)


class ExpansionStopped(Exception):
    """Expansion was asked to stop (the sync is being cancelled); rerunning it is safe."""


@dataclass(frozen=True, slots=True)
class ExpansionOutcome:
    """What an expansion did: grants added, and the entitlements whose cycle hit the safety bound
    (sorted; empty unless the store is broken), whose grants may be incomplete."""

    added: int
    unfinished: tuple[str, ...] = ()


def expand_grants(
    store: ExpansionStore,
    on_added: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
) -> ExpansionOutcome:
    """Expands every expandable grant in the store to a fixpoint.

    Runs in a worker thread during a sync: `on_added` reports progress, `stop` is checked
    between destinations. Expansion is idempotent, so a stopped one is simply run again.
    """
    edges = load_edges(store)
    bulk = store if isinstance(store, BulkDerivation) else None
    keys = _HolderKeyCache(store)
    report = on_added or (lambda _n: None)
    stop = stop or threading.Event()
    added = 0
    unfinished: list[str] = []

    def expand(destination: str) -> bool:
        nonlocal added
        if stop.is_set():
            raise ExpansionStopped()
        new, updated = _expand_into(store, bulk, keys, destination, edges[destination])
        added += new
        report(new)
        return bool(new or updated)

    for component in components_in_order(edges):
        unfinished += _expand_component(component, edges, expand)
    if unfinished:
        log.warning(
            "expansion_unfinished",
            reason="a cycle of entitlements hit the expansion safety bound; their grants may be incomplete",
            entitlements=unfinished[:50],
            count=len(unfinished),
        )
    return ExpansionOutcome(added, tuple(sorted(unfinished)))


def _expand_component(component: list[str], edges: dict[str, list[Edge]], expand: Callable[[str], bool]) -> list[str]:
    """Expands a component's destinations until none changes (a worklist: a destination is queued
    again when one of its sources changed). Returns the component's destinations if it hit the
    safety bound: its fixpoint was not reached, so none of its grants can be trusted complete."""
    members = set(component)
    dependents: dict[str, list[str]] = defaultdict(list)  # source -> destinations in this component
    for destination in component:
        for edge in edges.get(destination, []):
            if edge.source in members:
                dependents[edge.source].append(destination)
    queue = deque(d for d in component if d in edges)
    queued = set(queue)
    passes: dict[str, int] = defaultdict(int)
    bound = max_passes_per_member(len(component))
    while queue:
        destination = queue.popleft()
        queued.discard(destination)
        if passes[destination] >= bound:
            return [d for d in component if d in edges]
        passes[destination] += 1
        if expand(destination):
            for dependent in dependents[destination]:
                if dependent not in queued:
                    queue.append(dependent)
                    queued.add(dependent)
    return []


def load_edges(store: ExpansionStore) -> dict[str, list[Edge]]:
    """destination -> its incoming edges, one per source. Edges from an entitlement this sync
    does not hold are dropped, as upstream does; a source that is not the grant principal's own
    entitlement is the connector's error."""
    edges: dict[str, dict[str, Edge]] = defaultdict(dict)
    owners: dict[str, PrincipalKey | None] = {}
    for grant in store.expandable_grants():
        for source in grant.sources:
            if not source.strip():
                continue
            if source not in owners:
                owners[source] = store.entitlement_owner(source)
            owner = owners[source]
            if owner is None:
                continue
            if owner != grant.principal:
                raise SyncError(
                    f"grant {grant.grant_id}: source entitlement {source} does not belong to the grant's principal "
                    f"{grant.principal[0]}:{grant.principal[1]}"
                )
            edges[grant.entitlement_id][source] = Edge(source, grant.shallow, grant.principal_types)
    return {dest: list(by_source.values()) for dest, by_source in edges.items()}


def components_in_order(edges: dict[str, list[Edge]]) -> list[list[str]]:
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


@dataclass(slots=True)
class _Reach:
    """How the principal is reached into one destination: through which sources, how directly."""

    principal_data: bytes
    sources: dict[str, bool]


def _reach(reached: dict[PrincipalKey, _Reach], source: str, holding: Holding) -> None:
    found = reached.get(holding.principal)
    if found is None:
        reached[holding.principal] = _Reach(holding.principal_data, {source: holding.direct})
    else:
        found.sources[source] = found.sources.get(source, False) or holding.direct


def merge_sources(held: dict[str, bool], destination: str, reached: dict[str, bool]) -> bool:
    """Merge the sources a principal is reached through into a grant it already holds; True if
    anything changed. A grant with no sources was the principal's own, so it first records that."""
    changed = False
    if not held:
        held[destination] = True
        changed = True
    for source, direct in reached.items():
        if source not in held:
            held[source] = direct
            changed = True
        elif direct and not held[source]:
            held[source] = True
            changed = True
    return changed


def _expand_into(
    store: ExpansionStore,
    bulk: BulkDerivation | None,
    cache: _HolderKeyCache,
    destination: str,
    incoming: list[Edge],
) -> tuple[int, int]:
    """(grants added, grants updated) by expanding the destination's incoming edges once."""
    if store.entitlement_owner(destination) is None:
        return 0, 0
    selections = [edge.selection() for edge in incoming]
    key_sets = [cache.get(selection) for selection in selections]
    merging = _needing_merge(key_sets, store.held_keys(destination))
    reached: dict[PrincipalKey, _Reach] = {}
    added = 0
    for selection, keys in zip(selections, key_sets, strict=True):
        written = None if bulk is None else bulk.derive_in_bulk(destination, selection, merging)
        if written is None:
            holdings = store.holders(selection)
        else:
            added += written
            holdings = store.holders(selection, among=merging) if not merging.isdisjoint(keys.keys) else ()
        for holding in holdings:
            _reach(reached, selection.source, holding)
    updated: list[HeldGrant] = []
    holding_already: set[PrincipalKey] = set()
    for grant in store.held_grants(destination, reached):
        holding_already.add(grant.principal)
        if merge_sources(grant.sources, destination, reached[grant.principal].sources):
            updated.append(grant)
    derived = [
        DerivedGrant(principal, reach.principal_data, reach.sources)
        for principal, reach in sorted(reached.items())
        if principal not in holding_already
    ]
    if derived:
        store.add_derived(destination, derived)
    if updated:
        store.set_sources(destination, updated)
    cache.forget(destination)  # its holders just changed
    return added + len(derived), len(updated)


def _needing_merge(key_sets: list[HolderKeys], held: frozenset[KeyHash]) -> frozenset[KeyHash]:
    """Principals reached more than once (through several sources, or several grants of one),
    or already holding the destination."""
    seen: set[KeyHash] = set()
    merging: set[KeyHash] = set()
    for found in key_sets:
        merging |= found.keys & seen
        merging |= found.repeated
        seen |= found.keys
    merging |= seen.intersection(held)
    return frozenset(merging)


class _HolderKeyCache:
    """The key sets of the selections in use, asked of the store once and reused by every
    destination, within a total size bound so huge sites keep a fixed memory ceiling."""

    MAX_CACHED_KEYS = 300_000

    def __init__(self, store: ExpansionStore) -> None:
        self.store = store
        self.by_source: dict[str, dict[HolderSelection, HolderKeys]] = {}
        self.size = 0

    def get(self, selection: HolderSelection) -> HolderKeys:
        cached = self.by_source.get(selection.source)
        found = None if cached is None else cached.get(selection)
        if found is not None:
            return found
        found = self.store.holder_keys(selection)
        while self.by_source and self.size + len(found.keys) > self.MAX_CACHED_KEYS:
            self.forget(next(iter(self.by_source)))  # the oldest source first
        if len(found.keys) <= self.MAX_CACHED_KEYS:
            self.by_source.setdefault(selection.source, {})[selection] = found
            self.size += len(found.keys)
        return found

    def forget(self, source: str) -> None:
        for keys in self.by_source.pop(source, {}).values():
            self.size -= len(keys.keys)
