"""Expansion reports progress as it goes and stops when asked, leaving nothing half-written."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.c1z.expansion_store import open_expansion_store
from baton_confluence.baton.c1z.store import SyncStore
from baton_confluence.baton.grant import new_grant
from baton_confluence.baton.sync.expansion import ExpansionStopped, expand_grants
from tests.baton.sync.library_connector import resource


def _store_with_team_grants(path: Path) -> SyncStore:
    store = SyncStore.open(path)
    store.start_or_resume_sync()
    team = resource("team", "t1", [ann.pack(pb.trait.GroupTrait())])
    docs = [resource("document", f"d{i}") for i in range(3)]
    member = pb.entitlement.Entitlement(id="team:t1:member", resource=team, slug="member")
    store.put_entitlements(
        [member] + [pb.entitlement.Entitlement(id=f"document:{d.id.resource}:edit", resource=d) for d in docs]
    )
    store.put_grants([new_grant(team, "member", "user", f"u{i}") for i in range(4)])
    expandable = ann.pack(pb.grant_annotations.GrantExpandable(entitlement_ids=["team:t1:member"]))
    grants = []
    for d in docs:
        g = new_grant(d, "edit", "team", "t1")
        g.annotations.append(expandable)
        grants.append(g)
    store.put_grants(grants)
    return store


def _expand(
    store: SyncStore, on_added: Callable[[int], None] | None = None, stop: threading.Event | None = None
) -> int:
    with open_expansion_store(store) as view:
        return expand_grants(view, on_added, stop).added


def test_progress_is_reported_per_destination(tmp_path: Path) -> None:
    store = _store_with_team_grants(tmp_path / "sync.c1z")
    seen: list[int] = []
    assert _expand(store, seen.append) == 12
    assert seen == [4, 4, 4]
    store.close()


def test_a_stopped_expansion_raises_and_can_run_again(tmp_path: Path) -> None:
    store = _store_with_team_grants(tmp_path / "sync.c1z")
    stop = threading.Event()
    stop.set()
    with pytest.raises(ExpansionStopped):
        _expand(store, stop=stop)
    assert _expand(store) == 12
    assert _expand(store) == 0  # idempotent: everything already derived
    store.close()
