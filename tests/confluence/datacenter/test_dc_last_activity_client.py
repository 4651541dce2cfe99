"""`DcLastActivity` at the HTTP level (respx): paging by received count, each `lastLogin` shape,
and the reasons for users without a date."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import respx

from baton_confluence.confluence.client.auth import BearerAuth
from baton_confluence.confluence.client.capability_last_activity import LastActive, NoDate
from baton_confluence.confluence.client.records import Account
from baton_confluence.confluence.client.transport import ConfluenceHTTP
from baton_confluence.confluence.datacenter.last_activity import PAGE_SIZE, DcLastActivity

BASE = "https://dc.example.test/confluence"
LISTING = f"{BASE}/rest/api/admin/users/list/active"
NOON = datetime(2026, 11, 2, 12, tzinfo=UTC)


def user(key: str, last_login: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "known", "userKey": key, "username": key}
    if last_login is not None:
        out["lastLogin"] = last_login
    return out


def account(key: str) -> Account:
    return Account(id=key, type="atlassian", name=key, email="", active=True)


def ask(pages: list[httpx.Response], keys: list[str]) -> tuple[list[LastActive], list[dict[str, str]]]:
    seen: list[dict[str, str]] = []

    async def go() -> list[LastActive]:
        http = ConfluenceHTTP(BASE, auth=BearerAuth("pat"))
        try:
            with respx.mock() as router:
                def answer(request: httpx.Request) -> httpx.Response:
                    seen.append(dict(request.url.params))
                    return pages[len(seen) - 1]

                router.get(LISTING).mock(side_effect=answer)
                reader = DcLastActivity(http)
                return list(await asyncio.gather(*(reader.last_active(account(k)) for k in keys)))
        finally:
            await http.aclose()

    return asyncio.run(go()), seen


def test_pages_until_a_short_page_in_every_last_login_shape() -> None:
    first = [user(f"u{i}", int(NOON.timestamp() * 1000)) for i in range(PAGE_SIZE - 3)]
    first += [user("iso", "2026-11-02T12:00:00.000Z"), user("obj", {"date": "2026-11-02T12:00:00Z"}), user("never")]
    second = [user("last", {"timestamp": int(NOON.timestamp() * 1000)})]
    pages = [
        httpx.Response(200, json={"results": first, "start": 0, "limit": PAGE_SIZE, "size": len(first)}),
        httpx.Response(200, json={"results": second, "start": PAGE_SIZE, "limit": PAGE_SIZE, "size": 1}),
    ]
    found, seen = ask(pages, ["u0", "iso", "obj", "never", "last", "unlicensed"])
    assert [s["start"] for s in seen] == ["0", str(PAGE_SIZE)] and all(s["expand"] == "lastLogin" for s in seen)
    assert found == [LastActive(NOON)] * 3 + [LastActive.none(NoDate.NEVER_ACTIVE), LastActive(NOON),
                                                LastActive.none(NoDate.NOT_LICENSED)]


def test_absent_or_forbidden_listing_gives_every_account_the_reason() -> None:
    for status, reason in ((404, NoDate.ENDPOINT_ABSENT), (403, NoDate.NOT_PERMITTED)):
        found, seen = ask([httpx.Response(status, json={"message": "no"})], ["a", "b"])
        assert found == [LastActive.none(reason)] * 2 and len(seen) == 1
