"""Expansion reaches a true fixpoint on cycles of any length (issue 24), on both c1z paths and on
a store of plain dicts; the expected grants are worked out here from the ring's arithmetic, not
by the code under test.

- a two-group cycle: each group's own member is reached back round the cycle (its grant records
  the other group as an indirect source), which a single pass over the cycle misses;
- a ring of 30 nested groups: every one of the 30 users holds every one of the 30 groups (900
  user grants plus the 30 nesting grants: 930), each with the sources the ring gives it;
- a store whose writes do not stick (a broken store) cannot keep expansion looping: the safety
  bound ends it, and the entitlements left unfinished are named, not dropped silently.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from baton_confluence.baton.expansion_contract import ExpandableGrant, HeldGrant
from baton_confluence.baton.grant import new_grant
from baton_confluence.baton.runner.local_sync import sync_to_file
from baton_confluence.baton.sync import completeness, engine
from baton_confluence.baton.sync.engine import SyncOptions
from baton_confluence.baton.sync.expansion import ExpansionOutcome, expand_grants
from tests.baton.sync.library_connector import LibraryConnector, resource, sample_library
from tests.baton.sync.memory_expansion_store import MemoryExpansionStore, MemoryGrant
from tests.baton.sync.test_expansion_rules import Stored, _entitlement, _expand, _expandable, _member

STORES = pytest.mark.parametrize("store", ["c1z bulk", "c1z per-grant", "in memory"])


def _ring(size: int) -> list[str]:
    return [f"g{i}" for i in range(size)]


def _ring_expansion(tmp_path: Path, groups: list[str], store: str) -> tuple[int, dict[str, Stored]]:
    """Each group has one direct user member (u<i> in g<i>), and group i contains group i+1 (round
    the ring): members of g<i+1> hold g<i>'s membership, users only."""
    size = len(groups)
    users = [f"u{g[1:]}" for g in groups]
    if store == "in memory":
        owners = {_member(g): ("group", g) for g in groups}
        plain = [
            MemoryGrant(f"{_member(g)}:user:{u}", _member(g), ("user", u)) for g, u in zip(groups, users, strict=True)
        ]
        expandable = []
        for i, g in enumerate(groups):
            inner = groups[(i + 1) % size]
            gid = f"{_member(g)}:group:{inner}"
            plain.append(MemoryGrant(gid, _member(g), ("group", inner)))
            expandable.append(ExpandableGrant(gid, _member(g), ("group", inner), (_member(inner),), False, ("user",)))
        memory = MemoryExpansionStore(owners, plain, expandable)
        added = expand_grants(memory).added
        return added, {
            g.grant_id: Stored(g.entitlement_id, g.principal, g.sources, g.derived) for g in memory.grants.values()
        }
    resources = {g: resource("group", g) for g in groups}
    grants = [new_grant(resources[g], "member", "user", u) for g, u in zip(groups, users, strict=True)]
    for i, g in enumerate(groups):
        inner = groups[(i + 1) % size]
        nesting = new_grant(resources[g], "member", "group", inner)
        _expandable(nesting, _member(inner), types=("user",))
        grants.append(nesting)
    entitlements = [_entitlement("group", g, "member") for g in groups]
    return _expand(tmp_path / "sync.c1z", entitlements, grants, bulk=store == "c1z bulk")


def _expected_ring(groups: list[str]) -> dict[str, Stored]:
    """Every user holds every group. u<j> holds g<i> through g<i+1> (the group nested in it),
    directly when u<j> is g<i+1>'s own member; its own group it holds itself, and back round
    the ring through g<j+1>, indirectly (directly only in a ring of one)."""
    size = len(groups)
    expected = {}
    for i, g in enumerate(groups):
        inner = groups[(i + 1) % size]
        expected[f"{_member(g)}:group:{inner}"] = Stored(_member(g), ("group", inner), {}, False)
        for j in range(size):
            user = f"u{groups[j][1:]}"
            through_inner = {_member(inner): (j == (i + 1) % size)}
            if j == i:
                sources = {_member(g): True} | through_inner
                expected[f"{_member(g)}:user:{user}"] = Stored(_member(g), ("user", user), sources, False)
            else:
                expected[f"{_member(g)}:user:{user}"] = Stored(_member(g), ("user", user), through_inner, True)
    return expected


@STORES
def test_a_two_group_cycle_reaches_each_group_s_own_member_back_round_the_cycle(tmp_path: Path, store: str) -> None:
    groups = _ring(2)
    added, stored = _ring_expansion(tmp_path, groups, store)
    expected = _expected_ring(groups)
    # Spelled out for two groups, as a reader would check it by hand.
    assert expected["group:g0:member:user:u0"].sources == {"group:g0:member": True, "group:g1:member": False}
    assert expected["group:g0:member:user:u1"].sources == {"group:g1:member": True}
    assert stored == expected
    assert added == 2


@STORES
def test_a_ring_of_thirty_groups_gives_all_930_grants(tmp_path: Path, store: str) -> None:
    groups = _ring(30)
    added, stored = _ring_expansion(tmp_path, groups, store)
    expected = _expected_ring(groups)
    assert len(expected) == 930
    assert set(stored) == set(expected)
    assert stored == expected
    assert added == 30 * 29


class _ForgetfulStore(MemoryExpansionStore):
    """A broken store: changed sources are never written, so every pass finds the same work."""

    def set_sources(self, entitlement_id: str, grants: object) -> None:
        del entitlement_id, grants


def test_a_store_whose_writes_do_not_stick_ends_at_the_bound_and_names_what_is_unfinished() -> None:
    groups = ["a", "b"]
    owners = {_member(g): ("group", g) for g in groups}
    plain = [MemoryGrant(f"{_member(g)}:user:u{g}", _member(g), ("user", f"u{g}")) for g in groups]
    expandable = []
    for g, inner in (("a", "b"), ("b", "a")):
        gid = f"{_member(g)}:group:{inner}"
        plain.append(MemoryGrant(gid, _member(g), ("group", inner)))
        expandable.append(ExpandableGrant(gid, _member(g), ("group", inner), (_member(inner),), False, ("user",)))
    store = _ForgetfulStore(owners, plain, expandable)
    outcome = expand_grants(store)
    assert outcome.unfinished == (_member("a"), _member("b"))
    # What it could do, it did: each group's member reached the other group.
    assert {g.grant_id for g in store.grants.values() if g.derived} == {
        "group:a:member:user:ub",
        "group:b:member:user:ua",
    }
    assert outcome.added == 2


def test_the_memory_store_does_write_sources() -> None:
    # Guards the test above: MemoryExpansionStore.set_sources does write (so the bound, not the
    # base store, is what the test above exercises).
    store = MemoryExpansionStore({"e": ("group", "a")}, [MemoryGrant("e:user:u", "e", ("user", "u"))], [])
    store.set_sources("e", [HeldGrant("e:user:u", ("user", "u"), {"x": True})])
    assert store.grants["e:user:u"].sources == {"x": True}


def test_the_engine_puts_an_unfinished_expansion_in_the_completeness_report_and_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store's side is pinned above; here, what the engine makes of an unfinished outcome.
    def unfinished(store: object, on_added: object = None, stop: object = None) -> ExpansionOutcome:
        return ExpansionOutcome(0, ("team:t1:member", "team:t2:member"))

    monkeypatch.setattr(engine, "expand_grants", unfinished)
    result = asyncio.run(sync_to_file(LibraryConnector(sample_library()), tmp_path / "sync.c1z", SyncOptions()))
    assert result.report.counters[completeness.EXPANSION_UNFINISHED] == 2
    assert any("team:t1:member" in w and "safety bound" in w for w in result.warnings)
