"""Space id -> space key, for the DC endpoints that address a space by key only.

Resources keep DC's numeric space id (the same id format as Cloud), but the space-permission
endpoints and `GET /rest/api/space/{spaceKey}` take the key, and `/rest/api/space` has no id
filter. The space listing records each key as it goes, so during a sync every lookup is a hit.
After a restart (or for a provisioning call without the space's profile) a miss walks the space
listing once, remembering every key, until the id shows up: a lookup table, not a listing, built
at most once per process and kept small (one short string per space).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import ListingPage, Space

PageLoader = Callable[[str], Awaitable[ListingPage[Space]]]


class SpaceKeys:
    def __init__(self, load_page: PageLoader) -> None:
        self._load_page = load_page
        self._keys: dict[str, str] = {}
        self._lock = asyncio.Lock()

    def remember(self, spaces: Iterable[Space]) -> None:
        for space in spaces:
            self._keys[space.id] = space.key

    async def key_of(self, space_id: str) -> str:
        if space_id in self._keys:
            return self._keys[space_id]
        async with self._lock:  # one walk at a time; a second caller finds the key remembered
            if space_id not in self._keys:
                await self._walk_until(space_id)
        return self._keys[space_id]

    async def _walk_until(self, space_id: str) -> None:
        token = ""
        while True:
            page = await self._load_page(token)
            self.remember(page.items)
            if space_id in self._keys:
                return
            if not page.next_token:
                raise ConnectorError(
                    grpc.StatusCode.NOT_FOUND,
                    f"baton-confluence: space {space_id} is not in the space listing: it was deleted or "
                    "the account cannot see it",
                )
            token = page.next_token
