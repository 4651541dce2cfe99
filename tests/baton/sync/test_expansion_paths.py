"""Derived grants written by the store's bulk capability (SQL from the holder table) equal the
ones the algorithm builds itself, byte for byte, on a graph with every case expansion has: nested and cyclic groups, shallow edges,
principal-type filters, principals reached through several sources, principals that already
hold the destination, grant ids longer than 127 bytes and multi-byte characters."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.c1z import expansion_store, holders
from baton_confluence.baton.c1z.store import SyncStore
from baton_confluence.baton.expansion_contract import BulkDerivation
from baton_confluence.baton.grant import new_grant
from baton_confluence.baton.sync import expansion
from baton_confluence.baton.sync.expansion import expand_grants
from tests.baton.sync.library_connector import resource

LONG = "x" * 120  # makes every grant id on this document longer than 127 bytes
GROUPS = ["g0", "g1", "g2", "g3", "g4", "gé"]
USERS = [f"u{i}" for i in range(30)] + ["ü-ñ", LONG]
DOCS = ["d0", "d1", "d2", "d3", "d4", LONG, "dé"]


def _expandable(grant: pb.grant.Grant, *sources: str, shallow: bool = False, types: tuple[str, ...] = ()) -> None:
    expandable = pb.grant_annotations.GrantExpandable(
        entitlement_ids=list(sources), shallow=shallow, resource_type_ids=list(types)
    )
    grant.annotations.append(ann.pack(expandable))


def _fill(store: SyncStore) -> None:
    rng = random.Random(7)
    groups = {g: resource("group", g) for g in GROUPS}
    docs = {d: resource("document", d) for d in DOCS}
    store.put_entitlements(
        [pb.entitlement.Entitlement(id=f"group:{g}:member", resource=r, slug="member") for g, r in groups.items()]
        + [pb.entitlement.Entitlement(id=f"document:{d}:edit", resource=r, slug="edit") for d, r in docs.items()]
    )
    grants = []
    for res in groups.values():
        grants += [new_grant(res, "member", "user", u) for u in rng.sample(USERS, 12)]
    nested = new_grant(groups["g1"], "member", "group", "g2")  # g2's members are g1's members
    _expandable(nested, "group:g2:member")
    cycle_a = new_grant(groups["g3"], "member", "group", "g4")
    _expandable(cycle_a, "group:g4:member")
    cycle_b = new_grant(groups["g4"], "member", "group", "g3")
    _expandable(cycle_b, "group:g3:member")
    grants += [nested, cycle_a, cycle_b]
    for n, res in enumerate(docs.values()):
        for g in rng.sample(GROUPS, 2 + n % 3):
            grant = new_grant(res, "edit", "group", g)
            _expandable(grant, f"group:{g}:member", shallow=(n == 2), types=("user",) if n == 3 else ())
            grants.append(grant)
        grants += [new_grant(res, "edit", "user", u) for u in rng.sample(USERS, 3)]  # direct holders too
    store.put_grants(grants)


def _grant_rows(store: SyncStore) -> dict[str, tuple[object, ...]]:
    rows = store.conn.execute(
        "select external_id, resource_type_id, resource_id, entitlement_id, principal_resource_type_id, "
        "principal_resource_id, expansion, needs_expansion, data from v1_grants"
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def _expanded(tmp_path: Path, name: str, *, bulk: bool) -> dict[str, tuple[object, ...]]:
    store = SyncStore.open(tmp_path / f"{name}.c1z")
    store.start_or_resume_sync()
    _fill(store)
    with expansion_store.open_expansion_store(store, bulk=bulk) as view:
        assert isinstance(view, BulkDerivation) == bulk
        expand_grants(view)
    rows = _grant_rows(store)
    store.close()
    return rows


def test_sql_and_python_paths_write_identical_rows(tmp_path: Path) -> None:
    in_sql = _expanded(tmp_path, "sql", bulk=True)
    in_python = _expanded(tmp_path, "python", bulk=False)
    assert len(in_sql) > 150  # the graph really derived grants
    assert in_sql == in_python


def test_derived_rows_are_canonical_protobuf_with_their_own_ids(tmp_path: Path) -> None:
    rows = _expanded(tmp_path, "sync", bulk=True)
    derived = {gid: row for gid, row in rows.items() if row[3] == "user" and gid.startswith(f"document:{LONG}:")}
    assert derived, "the long-id document got derived grants"
    for gid, row in rows.items():
        data = bytes(row[7])  # type: ignore[arg-type]
        grant = pb.grant.Grant.FromString(data)
        assert grant.SerializeToString(deterministic=True) == data
        assert grant.id == gid and grant.entitlement.id == row[2]
        assert (grant.principal.id.resource_type, grant.principal.id.resource) == (row[3], row[4])


def _sources(rows: dict[str, tuple[object, ...]], gid: str) -> dict[str, bool]:
    grant = pb.grant.Grant.FromString(bytes(rows[gid][7]))  # type: ignore[arg-type]
    return {k: v.is_direct for k, v in grant.sources.sources.items()}


def test_expansion_semantics_on_the_generated_graph(tmp_path: Path) -> None:
    rows = _expanded(tmp_path, "sync", bulk=True)
    members = {g: {r[4] for gid, r in rows.items() if r[2] == f"group:{g}:member" and r[3] == "user"} for g in GROUPS}
    direct = {
        g: {r[4] for r in rows.values() if r[2] == f"group:{g}:member" and r[3] == "user" and not _is_derived(r)}
        for g in GROUPS
    }
    assert members["g1"] == direct["g1"] | direct["g2"]  # nested group
    assert members["g3"] == members["g4"] == direct["g3"] | direct["g4"]  # cycle converges
    for user in direct["g2"] - direct["g1"]:
        assert _sources(rows, f"group:g1:member:user:{user}") == {"group:g2:member": True}
    # d2 is shallow: only direct members count, so g1's members through g2 do not.
    d2_groups = {r[4] for r in rows.values() if r[2] == "document:d2:edit" and r[5] is not None}
    d2_users = {r[4] for r in rows.values() if r[2] == "document:d2:edit" and r[3] == "user"}
    d2_direct_users = {
        r[4] for r in rows.values() if r[2] == "document:d2:edit" and r[3] == "user" and not _is_derived(r)
    }
    assert d2_users == d2_direct_users | set().union(*(direct[g] for g in d2_groups))


def _is_derived(row: tuple[object, ...]) -> bool:
    grant = pb.grant.Grant.FromString(bytes(row[7]))  # type: ignore[arg-type]
    return ann.has(grant.annotations, pb.grant_annotations.GrantImmutable)


def test_key_hash_collisions_only_cost_speed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _expanded(tmp_path, "python", bulk=False)

    def colliding(ptype: str, pid: str) -> int:
        return len(pid) % 3  # nearly every principal shares its hash with others

    monkeypatch.setattr(holders, "key_hash", colliding)
    monkeypatch.setattr(expansion_store, "key_hash", colliding)
    assert _expanded(tmp_path, "colliding", bulk=True) == expected


def test_a_key_cache_that_keeps_evicting_gives_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _expanded(tmp_path, "roomy", bulk=True)
    # Groups here have 12 to 20 holders: one key set fits, the next evicts it.
    monkeypatch.setattr(expansion._HolderKeyCache, "MAX_CACHED_KEYS", 24)
    assert _expanded(tmp_path, "cramped", bulk=True) == expected
