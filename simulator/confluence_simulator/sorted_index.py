"""A list kept sorted by integer key, with O(log n) lookup of "the page after key K".

Cursor pagination over data that changes between requests must not skip or repeat items, so v2
cursors carry the last key served (keyset pagination) instead of an offset; this index answers
"next `limit` items after key K" without scanning the whole list.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

V = TypeVar("V")


class SortedIndex(Generic[V]):
    """Items ordered by an integer key. Not thread-safe: the owning state holds the lock."""

    def __init__(self) -> None:
        self._keys: list[int] = []
        self._items: dict[int, V] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: int) -> bool:
        return key in self._items

    def get(self, key: int) -> V | None:
        return self._items.get(key)

    def put(self, key: int, item: V) -> None:
        if key not in self._items:
            bisect.insort(self._keys, key)
        self._items[key] = item

    def pop(self, key: int) -> V | None:
        item = self._items.pop(key, None)
        if item is not None:
            del self._keys[bisect.bisect_left(self._keys, key)]
        return item

    def values(self) -> Iterator[V]:
        return (self._items[k] for k in self._keys)

    def page_after(
        self,
        after: int | None,
        limit: int,
        keep: Callable[[V], bool] | None = None,
    ) -> tuple[list[tuple[int, V]], bool]:
        """Up to `limit` (key, item) pairs with key > `after`, and whether more matching remain.

        With `keep`, non-matching items are skipped (cost grows with what is skipped, which is
        bounded by one space's or one list's size, never the whole site).
        """
        start = 0 if after is None else bisect.bisect_right(self._keys, after)
        page: list[tuple[int, V]] = []
        for i in range(start, len(self._keys)):
            key = self._keys[i]
            item = self._items[key]
            if keep is not None and not keep(item):
                continue
            if len(page) == limit:
                return page, True
            page.append((key, item))
        return page, False
