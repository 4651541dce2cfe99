"""SyncData's typed lookups: each key is written and read by one accessor pair, with a lifetime."""

from __future__ import annotations

import asyncio

from baton_confluence.confluence.cache import SyncCache
from baton_confluence.confluence.client import SpaceRole
from baton_confluence.confluence.sync_data import SyncData


def test_a_space_name_is_read_once_and_forgotten_names_are_gone() -> None:
    data = SyncData(SyncCache(memory_budget=1))  # on disk: the value survives pickling as typed
    data.keep_space_name("1", "Engineering")
    data.keep_space_name("2", "")  # an empty name is still a name
    data.keep_space_name("3", "Sales")
    data.forget_space_name("3")
    assert [data.take_space_name("1"), data.take_space_name("1")] == ["Engineering", None]
    assert (data.take_space_name("2"), data.take_space_name("3")) == ("", None)


def test_role_holders_are_collected_across_pages_then_published_per_binding() -> None:
    data = SyncData()
    assert data.collecting_holders("s") is None
    data.keep_collecting_holders("s", {"r1": [("USER", "a")]})
    collected = data.collecting_holders("s")
    assert collected == {"r1": [("USER", "a")]}
    collected.setdefault("r2", []).append(("GROUP", "g"))
    data.keep_collecting_holders("s", collected)
    assert data.take_collected_holders("s") == {"r1": [("USER", "a")], "r2": [("GROUP", "g")]}
    assert data.take_collected_holders("s") == {} and data.collecting_holders("s") is None
    data.keep_role_holders("s", "r1", [("USER", "a")])
    data.keep_role_holders("s", "r3", [])  # a role nobody holds is published empty, not absent
    assert (data.role_holders("s", "r1"), data.role_holders("s", "r3")) == ([("USER", "a")], [])
    assert data.role_holders("s", "r2") is None  # never published: the grants read the API
    data.forget_role_holders("s", "r1")
    assert data.role_holders("s", "r1") is None


def test_the_role_catalogue_is_loaded_once_per_sync() -> None:
    roles = [SpaceRole(id="r1", name="Admin", description="", space_permissions=())]
    loads = 0

    async def load() -> list[SpaceRole]:
        nonlocal loads
        loads += 1
        return roles

    async def scenario(data: SyncData) -> list[list[SpaceRole]]:
        return [await data.role_catalog(load) for _ in range(3)]

    data = SyncData()
    assert asyncio.run(scenario(data)) == [roles] * 3 and loads == 1
    data.reset()  # a new sync loads it again
    assert asyncio.run(scenario(data)) == [roles] * 3 and loads == 2
