"""`SyncCache`: the storage behind `SyncData` (sync_data.py, which holds the rules of what is kept
and for whom), so that no listing URL is fetched twice in a sync.

Several syncers need the same pages: the group list (groups syncer and the user listing), each
group's member pages (user listing and group grants), the space-role list (roles syncer and role
binding names). The upstream connector fetched them twice and relied on a one-hour HTTP cache;
here the first reader fetches, later readers are served from the cache:

- **Single flight.** Concurrent readers of one key share one fetch (an asyncio future), so two
  syncers racing for the same page still cost one request.
- **Explicit lifetimes.** An entry stays until it is deleted (`delete`, or `take`, which reads
  and deletes) or the cache is cleared; `SyncData` decides when, by its rules.
- **Bounded memory.** Entries live in memory up to `memory_budget` bytes (of their pickled form);
  beyond it the oldest are spilled to a temporary SQLite file (stdlib `sqlite3`, one connection,
  no journal, since the file dies with the sync). A group's member pages wait there between the
  resources phase and the grants phase instead of in RAM.
- **Per sync.** `clear()` (from `SyncData.reset`, at `Connector.cleanup`) drops everything,
  deletes the file and starts a new `generation`, so listing tokens can tell whether state they
  rely on was built in this cache (after a restart it was not, and they fall back to the API).

Values are stored untyped: `SyncData` is the one reader and writer of each key, and its typed
accessors say what each holds. Values must be picklable (the client's frozen records and pages of them are): a spilled entry
comes back through `pickle.loads`. The spill file is this process's own temporary file, created
private (`mkstemp`), so it holds nothing another party wrote. Readers must not mutate what they get.
Provisioning never reads this cache: its existence checks must see the live site.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pickle
import secrets
import sqlite3
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog

log = structlog.get_logger("baton_confluence.confluence.cache")

T = TypeVar("T")
Key = tuple[str | int, ...]  # JSON-encodable parts, e.g. ("group_members", group_id, token)

DEFAULT_MEMORY_BUDGET = 16 * 1024 * 1024


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0  # fetches made
    shared: int = 0  # readers that joined an in-flight fetch
    spilled: int = 0  # entries moved to disk


@dataclass
class _Entry:
    value: Any
    size: int


class _SpillFile:
    """The SQLite side of the cache: created on first spill, deleted on close."""

    def __init__(self, directory: str | None) -> None:
        fd, self.path = tempfile.mkstemp(prefix="baton-confluence-cache-", suffix=".sqlite", dir=directory)
        os.close(fd)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, value BLOB NOT NULL)")

    def put(self, key: str, value: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", (key, value))

    def get(self, key: str) -> bytes | None:
        row = self.db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def delete(self, key: str) -> None:
        self.db.execute("DELETE FROM entries WHERE key = ?", (key,))

    def close(self) -> None:
        self.db.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path)


class SyncCache:
    def __init__(self, *, memory_budget: int = DEFAULT_MEMORY_BUDGET, directory: str | None = None) -> None:
        self.memory_budget = memory_budget
        self.directory = directory
        self.generation = secrets.token_hex(6)
        self.stats = CacheStats()
        self._memory: dict[str, _Entry] = {}
        self._memory_size = 0
        self._spill: _SpillFile | None = None
        self._inflight: dict[str, asyncio.Future[Any]] = {}

    # --- reading --------------------------------------------------------------------------
    async def fetch(self, key: Key, load: Callable[[], Awaitable[T]]) -> T:
        """The value for `key`: from the cache or from `load()`, once; a loaded value is kept."""
        name = _name(key)
        while True:
            found = self._get(name)
            if found is not None:
                self.stats.hits += 1
                return found[0]  # type: ignore[no-any-return]
            pending = self._inflight.get(name)
            if pending is None:
                return await self._load(name, load)
            self.stats.shared += 1
            try:
                value = await asyncio.shield(pending)
            except asyncio.CancelledError:
                if _cancelled_here():
                    raise
                continue  # the fetching task was cancelled, not this one: fetch again
            return value  # type: ignore[no-any-return]

    def get(self, key: Key) -> tuple[Any] | None:
        """`(value,)` when `key` is held, else None (a held value may itself be falsy)."""
        return self._get(_name(key))

    def take(self, key: Key) -> tuple[Any] | None:
        """Like `get`, and the entry is deleted."""
        name = _name(key)
        found = self._get(name)
        self._forget(name)
        return found

    # --- writing --------------------------------------------------------------------------
    def put(self, key: Key, value: Any) -> None:
        self._put(_name(key), value)

    def _put(self, name: str, value: Any) -> None:
        self._forget(name)
        encoded = _encode(value)
        entry = _Entry(value, len(encoded))
        if entry.size > self.memory_budget:
            self._disk().put(name, encoded)
            self.stats.spilled += 1
            return
        self._memory[name] = entry
        self._memory_size += entry.size
        self._shrink()

    def delete(self, key: Key) -> None:
        self._forget(_name(key))

    # --- lifecycle ------------------------------------------------------------------------
    def clear(self) -> None:
        """Drop every entry and the spill file; the next sync starts a new generation."""
        for future in self._inflight.values():
            future.cancel()
        self._inflight.clear()
        self._memory.clear()
        self._memory_size = 0
        if self._spill is not None:
            self._spill.close()
            self._spill = None
        self.generation = secrets.token_hex(6)
        self.stats = CacheStats()

    def close(self) -> None:
        self.clear()

    @property
    def entries_in_memory(self) -> int:
        return len(self._memory)

    @property
    def spill_path(self) -> str | None:
        return self._spill.path if self._spill else None

    # --- internals ------------------------------------------------------------------------
    async def _load(self, name: str, load: Callable[[], Awaitable[T]]) -> T:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        # Mark the exception retrieved: with no other reader waiting, nobody else would.
        future.add_done_callback(lambda f: None if f.cancelled() else f.exception())
        self._inflight[name] = future
        self.stats.misses += 1
        try:
            value = await load()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc)
            raise
        finally:
            self._inflight.pop(name, None)
        self._put(name, value)
        if not future.done():
            future.set_result(value)
        return value

    def _get(self, name: str) -> tuple[Any] | None:
        entry = self._memory.get(name)
        if entry is not None:
            return (entry.value,)
        encoded = self._spill.get(name) if self._spill is not None else None
        return None if encoded is None else (pickle.loads(encoded),)

    def _forget(self, name: str) -> None:
        if name in self._memory:
            self._drop_memory(name)
        if self._spill is not None:
            self._spill.delete(name)

    def _drop_memory(self, name: str) -> None:
        entry = self._memory.pop(name)
        self._memory_size -= entry.size

    def _shrink(self) -> None:
        """Spill the oldest entries until the in-memory ones fit the budget."""
        while self._memory_size > self.memory_budget and self._memory:
            name = next(iter(self._memory))
            entry = self._memory[name]
            self._disk().put(name, _encode(entry.value))
            self._drop_memory(name)
            self.stats.spilled += 1

    def _disk(self) -> _SpillFile:
        if self._spill is None:
            self._spill = _SpillFile(self.directory)
            log.debug("confluence_cache_spill_file", path=self._spill.path)
        return self._spill


def _encode(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _name(key: Key) -> str:
    """A key's storage name: its JSON form, so that it can index the SQLite table."""
    return json.dumps(list(key), separators=(",", ":"))


def _cancelled_here() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
