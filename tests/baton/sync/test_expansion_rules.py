"""The rules of grant expansion (docs/protocol.md §2.2), pinned on real c1z stores, on both the
store's bulk path and the path where the algorithm builds every grant itself:

- a cycle of three groups converges to every member in every group, with the sources each
  grant is reached through and whether directly;
- a principal reached through one source first indirectly and then directly ends up direct;
- on random group graphs (cycles, shallow edges, principal-type filters, documents), expansion
  gives exactly what a naive fixpoint written here gives, grants and sources alike: on a c1z
  (both paths) and on a store of plain dicts that offers nothing but the protocol.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.c1z.expansion_store import open_expansion_store
from baton_confluence.baton.c1z.store import SyncStore
from baton_confluence.baton.expansion_contract import ExpandableGrant
from baton_confluence.baton.grant import new_grant
from baton_confluence.baton.sync.expansion import expand_grants
from tests.baton.sync.library_connector import resource
from tests.baton.sync.memory_expansion_store import MemoryExpansionStore, MemoryGrant

Principal = tuple[str, str]


@dataclass(frozen=True)
class Stored:
    entitlement: str
    principal: Principal
    sources: dict[str, bool]
    derived: bool  # carries GrantImmutable: made by expansion


def _expandable(grant: pb.grant.Grant, source: str, *, shallow: bool = False, types: tuple[str, ...] = ()) -> None:
    grant.annotations.append(
        ann.pack(
            pb.grant_annotations.GrantExpandable(
                entitlement_ids=[source], shallow=shallow, resource_type_ids=list(types)
            )
        )
    )


def _entitlement(rtype: str, rid: str, slug: str) -> pb.entitlement.Entitlement:
    return pb.entitlement.Entitlement(id=f"{rtype}:{rid}:{slug}", resource=resource(rtype, rid), slug=slug)


def _expand(
    path: Path, entitlements: list[pb.entitlement.Entitlement], grants: list[pb.grant.Grant], *, bulk: bool
) -> tuple[int, dict[str, Stored]]:
    """(grants added, every grant of the sync by id) after expanding `grants` in a fresh store."""
    store = SyncStore.open(path)
    try:
        store.start_or_resume_sync()
        store.put_entitlements(entitlements)
        store.put_grants(grants)
        with open_expansion_store(store, bulk=bulk) as view:
            added = expand_grants(view).added
        rows = store.conn.execute("select external_id, data from v1_grants where sync_id = ?", (store.sync_id,))
        stored = {}
        for gid, data in rows:
            grant = pb.grant.Grant.FromString(data)
            stored[gid] = Stored(
                grant.entitlement.id,
                (grant.principal.id.resource_type, grant.principal.id.resource),
                {k: v.is_direct for k, v in grant.sources.sources.items()},
                ann.has(grant.annotations, pb.grant_annotations.GrantImmutable),
            )
        return added, stored
    finally:
        store.close()


def _member(group: str) -> str:
    return f"group:{group}:member"


BOTH_PATHS = pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "per-grant"])


@BOTH_PATHS
def test_a_cycle_of_three_groups_gives_every_member_to_every_group(tmp_path: Path, bulk: bool) -> None:
    # A contains B, B contains C, C contains A (users only); one direct member each.
    groups = {g: resource("group", g) for g in "ABC"}
    grants = [new_grant(groups[g], "member", "user", g.lower()) for g in "ABC"]
    for dest, source in (("A", "B"), ("B", "C"), ("C", "A")):
        nested = new_grant(groups[dest], "member", "group", source)
        _expandable(nested, _member(source), types=("user",))
        grants.append(nested)
    added, stored = _expand(
        tmp_path / "sync.c1z", [_entitlement("group", g, "member") for g in "ABC"], grants, bulk=bulk
    )

    users = {gid: s for gid, s in stored.items() if s.principal[0] == "user"}
    # Worked out by hand: x reaches the group that contains its own group directly, the next one
    # indirectly; a direct member is reached back round the cycle, indirectly.
    assert {gid: s.sources for gid, s in users.items()} == {
        "group:A:member:user:a": {"group:A:member": True, "group:B:member": False},
        "group:A:member:user:b": {"group:B:member": True},
        "group:A:member:user:c": {"group:B:member": False},
        "group:B:member:user:b": {"group:B:member": True, "group:C:member": False},
        "group:B:member:user:c": {"group:C:member": True},
        "group:B:member:user:a": {"group:C:member": False},
        "group:C:member:user:c": {"group:C:member": True, "group:A:member": False},
        "group:C:member:user:a": {"group:A:member": True},
        "group:C:member:user:b": {"group:A:member": False},
    }
    assert {gid for gid, s in users.items() if s.derived} == {
        f"group:{g}:member:user:{u}" for g in "ABC" for u in "abc" if u != g.lower()
    }
    assert added == 6
    # The nesting grants themselves gain no sources: the edges carry users only.
    assert all(s.sources == {} for s in stored.values() if s.principal[0] == "group")


@BOTH_PATHS
def test_a_principal_reached_indirectly_and_directly_holds_the_source_directly(tmp_path: Path, bulk: bool) -> None:
    # u and w each hold team:T:member twice: through a grant the connector says came from team X
    # (indirect) and through their own grant (direct); u's indirect grant is stored first, w's
    # last. The document granted to T must record T as a direct source for both: direct wins,
    # whichever grant is read first.
    team, doc = resource("team", "T"), resource("document", "d")

    def via_x(user: str) -> pb.grant.Grant:
        grant = new_grant(team, "member", "user", user)
        grant.id = f"team:T:member:user:{user}:via-X"
        grant.sources.sources["team:X:member"].is_direct = False
        return grant

    to_team = new_grant(doc, "edit", "team", "T")
    _expandable(to_team, "team:T:member")
    # v already holds the document, recorded as reached through T indirectly; v is T's own member.
    v_doc = new_grant(doc, "edit", "user", "v")
    v_doc.sources.sources["team:T:member"].is_direct = False
    grants = [via_x("u"), new_grant(team, "member", "user", "u"), new_grant(team, "member", "user", "w"), via_x("w")]
    grants += [to_team, v_doc, new_grant(team, "member", "user", "v")]
    entitlements = [_entitlement("team", "T", "member"), _entitlement("document", "d", "edit")]
    added, stored = _expand(tmp_path / "sync.c1z", entitlements, grants, bulk=bulk)

    for user in ("u", "w"):
        assert stored[f"document:d:edit:user:{user}"].sources == {"team:T:member": True}, user
        assert stored[f"document:d:edit:user:{user}"].derived
    assert stored["document:d:edit:user:v"].sources == {"team:T:member": True}
    assert not stored["document:d:edit:user:v"].derived
    assert added == 2


# ------------------------------------------------------------------ the property test

GROUPS = ("g0", "g1", "g2", "g3", "g4")
USERS = ("u0", "u1", "u2", "u3", "u4", "u5")
DOCUMENTS = ("d0", "d1")


@dataclass(frozen=True)
class Nesting:
    """Holders of `source`'s membership also hold `destination` (an entitlement id)."""

    destination: str
    source: str  # a group id
    shallow: bool
    users_only: bool


@dataclass(frozen=True)
class Graph:
    members: frozenset[tuple[str, str]]  # (group, user): direct membership
    readers: frozenset[tuple[str, str]]  # (document, user): direct document grants
    nestings: tuple[Nesting, ...]


def _destinations() -> list[str]:
    return [_member(g) for g in GROUPS] + [f"document:{d}:read" for d in DOCUMENTS]


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    members = draw(st.frozensets(st.tuples(st.sampled_from(GROUPS), st.sampled_from(USERS)), max_size=14))
    readers = draw(st.frozensets(st.tuples(st.sampled_from(DOCUMENTS), st.sampled_from(USERS)), max_size=4))
    pairs = draw(
        st.dictionaries(
            st.tuples(st.sampled_from(_destinations()), st.sampled_from(GROUPS)),
            st.tuples(st.booleans(), st.booleans()),
            max_size=12,
        )
    )
    nestings = tuple(Nesting(dest, src, shallow, users) for (dest, src), (shallow, users) in sorted(pairs.items()))
    return Graph(members, readers, nestings)


def _resource_of(entitlement_id: str) -> pb.resource.Resource:
    rtype, rid, _slug = entitlement_id.split(":")
    return resource(rtype, rid)


def _connector_grants(graph: Graph) -> tuple[list[pb.entitlement.Entitlement], list[pb.grant.Grant]]:
    entitlements = [_entitlement("group", g, "member") for g in GROUPS] + [
        _entitlement("document", d, "read") for d in DOCUMENTS
    ]
    grants = [new_grant(resource("group", g), "member", "user", u) for g, u in sorted(graph.members)]
    grants += [new_grant(resource("document", d), "read", "user", u) for d, u in sorted(graph.readers)]
    for n in graph.nestings:
        grant = new_grant(_resource_of(n.destination), n.destination.split(":")[2], "group", n.source)
        _expandable(grant, _member(n.source), shallow=n.shallow, types=("user",) if n.users_only else ())
        grants.append(grant)
    return entitlements, grants


def _reference(graph: Graph) -> dict[tuple[str, Principal], dict[str, bool]]:
    """Expansion by brute force: apply every edge to every holder until nothing changes.

    state[(entitlement, principal)] is the grant's sources ({} for a connector's own grant)."""
    state: dict[tuple[str, Principal], dict[str, bool]] = {}
    for g, u in graph.members:
        state[(_member(g), ("user", u))] = {}
    for d, u in graph.readers:
        state[(f"document:{d}:read", ("user", u))] = {}
    for n in graph.nestings:
        state[(n.destination, ("group", n.source))] = {}
    changed = True
    while changed:
        changed = False
        for n in graph.nestings:
            source = _member(n.source)
            for (entitlement, principal), held in list(state.items()):
                if entitlement != source or (n.users_only and principal[0] != "user"):
                    continue
                direct = not held or source in held
                if n.shallow and not direct:
                    continue
                key = (n.destination, principal)
                if key not in state:
                    state[key] = {source: direct}
                    changed = True
                    continue
                target = state[key]
                if not target:  # the principal's own grant: it records itself first
                    target[n.destination] = True
                    changed = True
                if source not in target:
                    target[source] = direct
                    changed = True
                elif direct and not target[source]:
                    target[source] = True
                    changed = True
    return state


def _expected(graph: Graph) -> dict[str, Stored]:
    own = _reference_keys_of_connector(graph)
    out = {}
    for (entitlement, principal), sources in _reference(graph).items():
        gid = f"{entitlement}:{principal[0]}:{principal[1]}"
        out[gid] = Stored(entitlement, principal, sources, (entitlement, principal) not in own)
    return out


def _reference_keys_of_connector(graph: Graph) -> set[tuple[str, Principal]]:
    keys = {(_member(g), ("user", u)) for g, u in graph.members}
    keys |= {(f"document:{d}:read", ("user", u)) for d, u in graph.readers}
    keys |= {(n.destination, ("group", n.source)) for n in graph.nestings}
    return keys


def _in_memory(graph: Graph) -> tuple[int, dict[str, Stored]]:
    """Expansion of the graph through the protocol alone, on a store of plain dicts."""
    entitlements, grants = _connector_grants(graph)
    owners = {e.id: (e.resource.id.resource_type, e.resource.id.resource) for e in entitlements}
    plain, expandable = [], []
    for g in grants:
        principal = (g.principal.id.resource_type, g.principal.id.resource)
        plain.append(MemoryGrant(g.id, g.entitlement.id, principal))
        for a in g.annotations:
            e = pb.grant_annotations.GrantExpandable.FromString(a.value)
            expandable.append(
                ExpandableGrant(
                    g.id, g.entitlement.id, principal, tuple(e.entitlement_ids), e.shallow, tuple(e.resource_type_ids)
                )
            )
    store = MemoryExpansionStore(owners, plain, expandable)
    added = expand_grants(store).added
    return added, {
        g.grant_id: Stored(g.entitlement_id, g.principal, g.sources, g.derived) for g in store.grants.values()
    }


def _ring_graph(size: int, *, shallow: bool = False) -> Graph:
    """g<i> contains g<i+1> round a ring of `size` groups; one direct member each."""
    groups = GROUPS[:size]
    members = frozenset((g, USERS[i]) for i, g in enumerate(groups))
    nestings = tuple(Nesting(_member(g), groups[(i + 1) % size], shallow, True) for i, g in enumerate(groups))
    return Graph(members, frozenset(), nestings)


# Cases the random draw may never make, each on every store: the fixed seed once never drew a
# two-group cycle, so a single pass over such a cycle went unnoticed (issue 24).
_TWO_GROUP_CYCLE = _ring_graph(2)
_SELF_LOOP = Graph(
    frozenset({("g0", "u0"), ("g1", "u1")}),
    frozenset(),
    (Nesting(_member("g0"), "g0", False, False), Nesting(_member("g0"), "g1", False, True)),
)
_FIVE_RING_SHALLOW = _ring_graph(5, shallow=True)
_FIVE_RING_WITH_A_DOCUMENT = Graph(
    _ring_graph(5).members,
    frozenset({("d0", "u5")}),
    (*_ring_graph(5).nestings, Nesting("document:d0:read", "g3", False, False)),
)


@settings(
    max_examples=150, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(graph=graphs(), store=st.sampled_from(["c1z bulk", "c1z per-grant", "in memory"]))
@example(graph=_TWO_GROUP_CYCLE, store="c1z bulk")
@example(graph=_TWO_GROUP_CYCLE, store="c1z per-grant")
@example(graph=_TWO_GROUP_CYCLE, store="in memory")
@example(graph=_SELF_LOOP, store="c1z bulk")
@example(graph=_SELF_LOOP, store="in memory")
@example(graph=_FIVE_RING_SHALLOW, store="c1z per-grant")
@example(graph=_FIVE_RING_WITH_A_DOCUMENT, store="c1z bulk")
@example(graph=_FIVE_RING_WITH_A_DOCUMENT, store="in memory")
def test_expansion_equals_a_naive_fixpoint_on_random_group_graphs(graph: Graph, store: str) -> None:
    expected = _expected(graph)
    if store == "in memory":
        added, stored = _in_memory(graph)
    else:
        entitlements, grants = _connector_grants(graph)
        with tempfile.TemporaryDirectory() as tmp:
            added, stored = _expand(Path(tmp) / "sync.c1z", entitlements, grants, bulk=store == "c1z bulk")
    assert stored == expected
    assert added == sum(1 for s in expected.values() if s.derived)
