"""Last activity of Data Center users: `GET /rest/api/admin/users/list/active?expand=lastLogin`.

Documented in the 10.x REST reference (Admin users group; appeared around 9.3, CONFSERVER-37100):
licensed users only, paged with `start`/`limit` like every v1 listing, `lastLogin` present only
with the expand. The shape of `lastLogin` is not shown anywhere (DC_FACTS.md §Admin user
listing), so every plausible one is read: epoch milliseconds, an ISO date or timestamp, or an
object holding one of those (`{"date": ...}`, `{"timestamp": ...}`...).

The whole listing is read once, on the first account asked for, into a map by user key. A user
missing from it is not licensed (`not_licensed`); a listed user without `lastLogin` never signed
in. A site without the endpoint (404: before 9.3) or a caller who may not read it (403) leaves
every account without a date, with that reason, and one warning.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import grpc
import structlog

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import (
    Account,
    ConfluenceHTTP,
    LastActive,
    NoDate,
    QueryParams,
    parse_instant,
    text,
    v1_page,
    v1_start,
)

log = structlog.get_logger("baton_confluence.confluence.datacenter.last_activity")

ACTIVE_USERS = "/rest/api/admin/users/list/active"
PAGE_SIZE = 200
_INSTANT_KEYS = ("date", "timestamp", "time", "value", "lastLogin", "lastLoginDate", "loginDate")


class DcLastActivity:
    def __init__(self, http: ConfluenceHTTP) -> None:
        self.http = http
        self._found: dict[str, LastActive] | None = None
        self._absent: NoDate | None = None
        self._lock = asyncio.Lock()

    async def last_active(self, account: Account) -> LastActive:
        async with self._lock:
            if self._found is None:
                self._found = await self._read()
        if self._absent is not None:
            return LastActive.none(self._absent)
        return self._found.get(account.id) or LastActive.none(NoDate.NOT_LICENSED)

    def forget_last_activity(self) -> None:
        self._found, self._absent = None, None

    async def _read(self) -> dict[str, LastActive]:
        found: dict[str, LastActive] = {}
        token = ""
        while True:
            start = v1_start(token)
            params: QueryParams = {"start": start, "limit": PAGE_SIZE, "expand": "lastLogin"}
            try:
                response = await self.http.get_json(ACTIVE_USERS, params)
            except ConnectorError as err:
                if found or err.code not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED):
                    raise
                self._absent = NoDate.ENDPOINT_ABSENT if err.code == grpc.StatusCode.NOT_FOUND else NoDate.NOT_PERMITTED
                log.warning(
                    "confluence_last_activity_unavailable",
                    reason=self._absent.value,
                    detail=f"{ACTIVE_USERS}: {err.message}; Data Center 9.3+ and an administrator are needed",
                )
                return found
            page = v1_page(response.data, start=start, asked_limit=PAGE_SIZE)
            for item in page.items:
                key = text(item.get("userKey"))
                if key:
                    at = last_login_of(item.get("lastLogin"))
                    found[key] = LastActive(at) if at is not None else LastActive.none(NoDate.NEVER_ACTIVE)
            if not page.next_token:
                return found
            token = page.next_token


def last_login_of(value: Any) -> datetime | None:
    """The instant of a `lastLogin` value in any of the shapes of the module docstring."""
    if isinstance(value, dict):
        for key in _INSTANT_KEYS:
            if key in value:
                return last_login_of(value[key])
        return None
    return parse_instant(value)
