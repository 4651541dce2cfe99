"""SyncCache: single flight, entries kept until deleted, spilling to SQLite, clearing.

Concurrency is ordered with events (a loader that waits until the test releases it), never with
sleeps."""

from __future__ import annotations

import asyncio
import os

import pytest

from baton_confluence.confluence.cache import SyncCache


class Loader:
    """Counts its calls; with `gate`, each call signals `started` and waits for the gate."""

    def __init__(self, value: object = None, *, gate: asyncio.Event | None = None, fail: bool = False) -> None:
        self.calls = 0
        self.value = value
        self.gate = gate
        self.fail = fail
        self.started = asyncio.Event()

    async def __call__(self) -> object:
        self.calls += 1
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("boom")
        return self.value


async def _until_waiting(cache: SyncCache, readers: int) -> None:
    """Yield to the loop until `readers` tasks have joined the fetch in flight."""
    while cache.stats.shared < readers:
        await asyncio.sleep(0)  # one loop turn: lets the other tasks run, orders nothing by time


def test_concurrent_readers_share_one_fetch() -> None:
    async def scenario() -> tuple[list[object], int]:
        cache = SyncCache()
        gate = asyncio.Event()
        load = Loader({"items": [1, 2]}, gate=gate)
        readers = [asyncio.create_task(cache.fetch(("k",), load)) for _ in range(3)]
        await load.started.wait()
        await _until_waiting(cache, 2)
        gate.set()
        return list(await asyncio.gather(*readers)), load.calls

    values, calls = asyncio.run(scenario())
    assert values == [{"items": [1, 2]}] * 3 and calls == 1


def test_an_entry_stays_until_deleted_or_taken() -> None:
    async def scenario() -> tuple[list[object], int]:
        cache = SyncCache()
        load = Loader("page")
        seen = [await cache.fetch(("k", 1), load) for _ in range(3)]
        seen.append(cache.get(("k", 1)))
        cache.delete(("k", 1))
        seen.append(cache.get(("k", 1)))
        cache.put(("k", 2), "")  # a falsy value is still held
        seen += [cache.take(("k", 2)), cache.take(("k", 2))]
        return seen, load.calls

    assert asyncio.run(scenario()) == (["page", "page", "page", ("page",), None, ("",), None], 1)


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
    async def scenario() -> tuple[list[object], int]:
        cache = SyncCache()
        gate = asyncio.Event()
        load = Loader(fail=True, gate=gate)
        readers = [asyncio.create_task(cache.fetch(("k",), load)) for _ in range(3)]
        await load.started.wait()
        await _until_waiting(cache, 2)
        gate.set()
        return list(await asyncio.gather(*readers, return_exceptions=True)), load.calls

    results, calls = asyncio.run(scenario())
    assert all(isinstance(r, RuntimeError) for r in results) and calls == 1


def test_cancelled_fetcher_lets_a_waiter_fetch() -> None:
    async def scenario() -> tuple[object, int]:
        cache = SyncCache()
        gate = asyncio.Event()
        load = Loader("v", gate=gate)
        first = asyncio.create_task(cache.fetch(("k",), load))
        await load.started.wait()
        second = asyncio.create_task(cache.fetch(("k",), load))
        await _until_waiting(cache, 1)
        first.cancel()
        gate.set()
        with pytest.raises(asyncio.CancelledError):
            await first
        return await second, load.calls

    assert asyncio.run(scenario()) == ("v", 2)


def test_spills_to_sqlite_beyond_the_budget_and_reads_back() -> None:
    cache = SyncCache(memory_budget=200)
    pages = {i: {"items": [{"id": f"user-{i}-{j}"} for j in range(5)], "next": str(i + 1)} for i in range(10)}
    for i, page in pages.items():
        cache.put(("page", i), page)
    assert cache.stats.spilled > 0 and cache.entries_in_memory < 10
    path = cache.spill_path
    assert path is not None and os.path.exists(path)
    for i, page in pages.items():
        assert cache.get(("page", i)) == (page,)  # read, still held
        assert cache.take(("page", i)) == (page,)
        assert cache.take(("page", i)) is None  # taken
    cache.clear()
    assert not os.path.exists(path) and cache.spill_path is None


def test_a_spilled_entry_stays_until_clear() -> None:
    cache = SyncCache(memory_budget=1)  # everything on disk
    cache.put(("catalog",), ["a", "b"])
    for _ in range(3):
        assert cache.get(("catalog",)) == (["a", "b"],)
    cache.clear()
    assert cache.get(("catalog",)) is None


def test_clear_starts_a_new_generation() -> None:
    cache = SyncCache()
    before = cache.generation
    cache.put(("k",), 1)
    cache.clear()
    assert cache.generation != before and cache.get(("k",)) is None
