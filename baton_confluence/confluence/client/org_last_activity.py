"""Last activity of Cloud accounts from the organization admin API (`--last-activity`).

Two routes, chosen once per sync on the first account asked for (facts: docs/site-and-activity.md,
simulator/FACTS.md §Organization admin API):

1. **Bulk** (likely, not documented as such): `POST /admin/v2/orgs/{orgId}/directories/-/users/search`
   with `{"limit", "cursor", "expand": ["productAccess"]}`; each user carries `productAccess[]`
   of `{key, id, lastActiveTimestamp}` (or a `last_active` date). Every page is read once, up
   front, into a map; the cursor comes from `links.next` (a cursor or a URL with `cursor=`).
2. **Per account** (documented): `GET /admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates`
   → `data.product_access[]` of `{id, key, last_active}` (a date, up to 24 h late). Used when the
   bulk route answers 404, 405 or 403. One request per account, each account once (concurrent
   askers share it), at the admin client's own pace; 404 means the org does not know the account.

An entry counts when its `key` is `confluence` and, when it names a site (`id`, e.g.
`ari:cloud:confluence::site/<cloudId>`), the site is this one: an organization may hold several
Confluence sites. No such entry means the account never used Confluence here. App accounts are
not in any organization's directory: they are answered without a request.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs, urlsplit

import grpc
import structlog

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client.capability_last_activity import LastActive, NoDate, parse_instant
from baton_confluence.confluence.client.capability_site import SiteIdentityReader
from baton_confluence.confluence.client.org_admin import OrgAdmin
from baton_confluence.confluence.client.records import ACCOUNT_TYPE_APP, Account, obj, text
from baton_confluence.confluence.client.urls import api_path

log = structlog.get_logger("baton_confluence.confluence.client.org_last_activity")

BULK_SEARCH = "/admin/v2/orgs/{}/directories/-/users/search"
PER_ACCOUNT = "/admin/v1/orgs/{}/directory/users/{}/last-active-dates"
BULK_PAGE_SIZE = 50  # the documented default of the v2 search
# 403, 404 and 405 mean "no bulk route here": fall back to per account. 405 has no gRPC code of
# its own (it maps to INVALID_ARGUMENT, as 400 does), so the status is read from the message.
BULK_ABSENT = (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND)
METHOD_NOT_ALLOWED = "HTTP 405"
CONFLUENCE = "confluence"
ROUTE_BULK = "bulk"
ROUTE_PER_ACCOUNT = "per_account"


class OrgLastActivity:
    def __init__(self, admin: OrgAdmin, site: SiteIdentityReader) -> None:
        self.admin = admin
        self.site = site
        self.route = ""
        self._bulk: dict[str, LastActive] = {}
        self._per_account: dict[str, asyncio.Task[LastActive]] = {}
        self._lock = asyncio.Lock()

    async def last_active(self, account: Account) -> LastActive:
        if account.type == ACCOUNT_TYPE_APP:
            return LastActive.none(NoDate.APP_ACCOUNT)
        await self._choose_route()
        if self.route == ROUTE_BULK:
            return self._bulk.get(account.id) or LastActive.none(NoDate.UNKNOWN_TO_ORG)
        task = self._per_account.get(account.id)
        if task is None:
            task = asyncio.ensure_future(self._one(account.id))
            self._per_account[account.id] = task
        return await asyncio.shield(task)

    def forget_last_activity(self) -> None:
        """Forget the sync's answers (the next sync reads them again)."""
        self.route = ""
        self._bulk.clear()
        self._per_account.clear()

    # --- routes ---------------------------------------------------------------------------------
    async def _choose_route(self) -> None:
        async with self._lock:
            if self.route:
                return
            cloud_id = (await self.site.site_identity()).id
            found = await self._read_bulk(cloud_id)
            self.route = ROUTE_PER_ACCOUNT if found is None else ROUTE_BULK
            self._bulk = found or {}
            log.info("confluence_last_activity_route", route=self.route, accounts=len(self._bulk))

    async def _read_bulk(self, cloud_id: str) -> dict[str, LastActive] | None:
        """Every user's entry, or None when the organization has no bulk route."""
        users = await read_bulk_users(self.admin)
        if users is None:
            return None
        return {account_id: _on_site(user.get("productAccess"), cloud_id) for account_id, user in users.items()}

    async def bulk_account_ids(self) -> list[str] | None:
        """The accounts the bulk route listed (read once for both uses), None without a bulk route."""
        await self._choose_route()
        return list(self._bulk) if self.route == ROUTE_BULK else None

    async def _one(self, account_id: str) -> LastActive:
        cloud_id = (await self.site.site_identity()).id
        try:
            response = await self.admin.http.get_json(api_path(PER_ACCOUNT, self.admin.org_id, account_id))
        except ConnectorError as err:
            if err.code == grpc.StatusCode.NOT_FOUND:
                return LastActive.none(NoDate.UNKNOWN_TO_ORG)
            raise
        return _on_site(obj(response.json_object().get("data")).get("product_access"), cloud_id)


async def read_bulk_users(admin: OrgAdmin) -> dict[str, dict[str, Any]] | None:
    """Every user of the organization's bulk search by account id (with `productAccess`), or None
    when the organization has no bulk route."""
    found: dict[str, dict[str, Any]] = {}
    path = api_path(BULK_SEARCH, admin.org_id)
    cursor = ""
    while True:
        body: dict[str, Any] = {"limit": BULK_PAGE_SIZE, "expand": ["productAccess"]}
        if cursor:
            body["cursor"] = cursor
        try:
            response = await admin.http.post_json(path, body, expect=(200,), idempotent=True)
        except ConnectorError as err:
            if found or not _bulk_absent(err):  # a route that vanishes mid-listing is no "absent"
                raise
            return None
        page = response.json_object()
        for user in page.get("data") or []:
            if isinstance(user, dict):
                account_id = text(user.get("accountId")) or text(user.get("account_id"))
                if account_id:
                    found[account_id] = user
        cursor = next_cursor(obj(page.get("links")).get("next"))
        if not cursor or not page.get("data"):
            return found


def _bulk_absent(err: ConnectorError) -> bool:
    return err.code in BULK_ABSENT or (err.code == grpc.StatusCode.INVALID_ARGUMENT and METHOD_NOT_ALLOWED in err.message)


def _on_site(entries: Any, cloud_id: str) -> LastActive:
    """The latest Confluence activity on this site among a user's product entries."""
    latest = None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or text(entry.get("key")).lower() != CONFLUENCE:
            continue
        site = text(entry.get("id")) or text(entry.get("siteId")) or text(entry.get("cloudId"))
        if site and not site.endswith(cloud_id):
            continue  # another Confluence site of the organization
        at = parse_instant(entry.get("lastActiveTimestamp") or entry.get("last_active") or entry.get("lastActive"))
        if at is not None and (latest is None or at > latest):
            latest = at
    return LastActive(latest) if latest is not None else LastActive.none(NoDate.NEVER_ACTIVE)


def next_cursor(link: Any) -> str:
    """The next cursor from `links.next`: the cursor itself, or a URL carrying `cursor=`."""
    value = text(link)
    if "cursor=" in value:
        return (parse_qs(urlsplit(value).query).get("cursor") or [""])[0]
    return value
