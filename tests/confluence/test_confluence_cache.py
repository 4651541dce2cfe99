"""SyncCache: single flight, counted uses, spilling to SQLite, clearing."""

from __future__ import annotations

import asyncio
import os

import pytest

from baton_confluence.confluence.cache import MISSING, SyncCache


class Loader:
    def __init__(self, value: object = None, delay: float = 0.0, fail: bool = False) -> None:
        self.calls = 0
        self.value = value
        self.delay = delay
        self.fail = fail

    async def __call__(self) -> object:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("boom")
        return self.value


def test_concurrent_readers_share_one_fetch() -> None:
    async def scenario() -> tuple[list[object], int]:
        cache = SyncCache()
        load = Loader({"items": [1, 2]}, delay=0.01)
        values = await asyncio.gather(*(cache.fetch(("k",), load, uses=2) for _ in range(2)))
        return list(values), load.calls

    values, calls = asyncio.run(scenario())
    assert values == [{"items": [1, 2]}] * 2 and calls == 1


def test_entry_is_deleted_after_its_last_use() -> None:
    async def scenario() -> tuple[object, object, int]:
        cache = SyncCache()
        load = Loader("page")
        first = await cache.fetch(("k", 1), load, uses=2)
        second = await cache.fetch(("k", 1), load, uses=2)
        third = cache.peek(("k", 1))
        return first, second, load.calls + (0 if third is MISSING else 100)

    assert asyncio.run(scenario()) == ("page", "page", 1)


def test_failures_are_not_cached() -> None:
    async def scenario() -> int:
        cache = SyncCache()
        failing = Loader(fail=True)
        with pytest.raises(RuntimeError):
            await cache.fetch(("k",), failing)
        ok = Loader("fine")
        assert await cache.fetch(("k",), ok) == "fine"
        return failing.calls + ok.calls

    assert asyncio.run(scenario()) == 2


def test_waiters_see_the_fetch_failure() -> None:
    async def scenario() -> list[object]:
        cache = SyncCache()
        load = Loader(fail=True, delay=0.01)
        return list(
            await asyncio.gather(*(cache.fetch(("k",), load, uses=3) for _ in range(3)), return_exceptions=True)
        )

    results = asyncio.run(scenario())
    assert all(isinstance(r, RuntimeError) for r in results)


def test_cancelled_fetcher_lets_a_waiter_fetch() -> None:
    async def scenario() -> tuple[object, int]:
        cache = SyncCache()
        load = Loader("v", delay=0.05)
        first = asyncio.create_task(cache.fetch(("k",), load, uses=2))
        await asyncio.sleep(0.01)
        second = asyncio.create_task(cache.fetch(("k",), load, uses=2))
        await asyncio.sleep(0.01)
        first.cancel()
        return await second, load.calls

    assert asyncio.run(scenario()) == ("v", 2)


def test_spills_to_sqlite_beyond_the_budget_and_reads_back() -> None:
    cache = SyncCache(memory_budget=200)
    pages = {i: {"items": [{"id": f"user-{i}-{j}"} for j in range(5)], "next": str(i + 1)} for i in range(10)}
    for i, page in pages.items():
        cache.put(("page", i), page, uses=1)
    assert cache.stats.spilled > 0 and cache.entries_in_memory < 10
    path = cache.spill_path
    assert path is not None and os.path.exists(path)
    for i, page in pages.items():
        assert cache.take(("page", i)) == page
        assert cache.take(("page", i)) is MISSING  # consumed
    cache.clear()
    assert not os.path.exists(path) and cache.spill_path is None


def test_uses_none_keeps_until_clear() -> None:
    cache = SyncCache(memory_budget=1)  # everything on disk
    cache.put(("catalog",), ["a", "b"], uses=None)
    for _ in range(3):
        assert cache.take(("catalog",)) == ["a", "b"]
    cache.clear()
    assert cache.take(("catalog",)) is MISSING


def test_clear_starts_a_new_generation() -> None:
    cache = SyncCache()
    before = cache.generation
    cache.put(("k",), 1)
    cache.clear()
    assert cache.generation != before and cache.peek(("k",)) is MISSING
