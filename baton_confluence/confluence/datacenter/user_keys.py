"""Username -> user key, for the JSON-RPC permission lists, which name users by username.

Data Center users are resources by **user key** (immutable; docs/datacenter.md §Ids), but the
remote API's `SpacePermission` carries only `userName`. The user and group-member listings map
each username to its key as they go (`remember`), so during a sync most lookups are hits; a miss
asks `GET /rest/api/user?username=` once (documented on Server since 5.x, as `?key=`) and keeps
the answer, a 404 included (a user that is gone has no resource to grant to).

Usernames are compared case-insensitively: Data Center lower-cases them when it stores them
(assumed from the login being case-insensitive; harmless if a site kept the case).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import Account, ConfluenceHTTP

USER_PATH = "/rest/api/user"


class UserKeys:
    def __init__(self, http: ConfluenceHTTP) -> None:
        self.http = http
        self._keys: dict[str, str | None] = {}  # casefolded username -> key (None: no such user)
        self._lock = asyncio.Lock()

    def remember(self, users: Iterable[Account]) -> None:
        """Learn from listed accounts (`shapes.user`): `username` and `id` (the user key)."""
        for user in users:
            if user.username and user.id:
                self._keys[user.username.casefold()] = user.id

    async def key_of(self, username: str) -> str | None:
        """The user key of a username, or None when the site knows no such user."""
        folded = username.casefold()
        if folded in self._keys:
            return self._keys[folded]
        async with self._lock:  # one lookup per username, even when spaces are read concurrently
            if folded not in self._keys:
                self._keys[folded] = await self._lookup(username)
        return self._keys[folded]

    async def _lookup(self, username: str) -> str | None:
        try:
            response = await self.http.get_json(USER_PATH, {"username": username})
        except ConnectorError as err:
            if err.code == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        key = response.json_object().get("userKey")
        return key if isinstance(key, str) and key else None
