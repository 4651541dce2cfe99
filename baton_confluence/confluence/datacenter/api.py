"""`ConfluenceDataCenterAPI`: Confluence Data Center/Server behind the one API contract.

The syncers, the provisioners and Validate call `ConfluenceAPI` (client/contract.py) and read the
client's records. This adapter serves that contract from DC's REST API (`<base URL incl. context
path>/rest/api`) and parses every answer through `shapes` into the same records, so one set of
syncers serves both products. It shares no code path with `ConfluenceCloudAPI` (no inheritance
between them), so a Cloud path can never be sent to a DC site. Space roles do not exist here, so
this class lacks the `SpaceRolesAPI` capability (client/capability_space_roles.py) altogether.

Endpoints (Atlassian's Confluence Data Center REST reference; docs/datacenter.md has the table):

- users: `GET /rest/api/user/list?expand=status` (all registered users, disabled ones included);
- groups: `GET /rest/api/group`, members `GET /rest/api/group/{groupName}/member`;
- membership writes: `PUT|DELETE /rest/api/user/{username}/group/{groupName}` (idempotent, 204);
  the username comes from `GET /rest/api/user?key={userKey}` (resources are keyed by user key);
- spaces: `GET /rest/api/space` (`type` global|personal, `status` current|archived), one listing
  leg per status: which statuses an unfiltered listing returns is not documented;
- space permissions: `GET /rest/api/space/{spaceKey}/permissions` on 9.1+ (one array, no paging),
  the JSON-RPC remote API before (`permission_reader.py` decides, once);
  writes (9.1+ only): `PUT .../permissions/{user|group}/{userKey|groupName}/grant|revoke` with
  `[{targetType, operationKey}]`.

Pagination is v1 offsets (`start`/`limit`, `_links.next`, `size`), one page per call, by the one
rule of client/pagination.py `v1_page`. DC documents no maximum `limit` ("may be restricted by fixed
system limits"); 100 is its user-list default and what the reference DC connector sends. A site
that caps lower costs extra pages, not rows: the next start counts the items received (DC has been
seen to advance its `next` link by the limit asked even when it served fewer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import (
    DATACENTER_SUBJECT_IDS,
    Account,
    ConfluenceHTTP,
    ContentRestrictionReads,
    Deployment,
    GlobalPermissionListing,
    Group,
    LastActive,
    ListingPage,
    QueryParams,
    SiteIdentity,
    Space,
    SpacePermission,
    any_item,
    api_path,
    found_or_none,
    instance_identity,
    parsed,
    v1_page,
    v1_start,
)
from baton_confluence.confluence.datacenter import shapes
from baton_confluence.confluence.datacenter.global_permissions import DcGlobalPermissions
from baton_confluence.confluence.datacenter.last_activity import DcLastActivity
from baton_confluence.confluence.datacenter.permission_map import to_dc
from baton_confluence.confluence.datacenter.permission_reader import SpacePermissionReader
from baton_confluence.confluence.datacenter.probes import DataCenterProbes
from baton_confluence.confluence.datacenter.space_keys import SpaceKeys
from baton_confluence.confluence.datacenter.user_keys import UserKeys
from baton_confluence.confluence.datacenter.version import Features, detect
from baton_confluence.confluence.permissions import Permission

DC_PAGE_SIZE = 100
REST = "/rest/api"
SPACE_TYPES = frozenset({"global", "personal"})  # the only `type` values DC's space filter knows
SPACE_STATUSES = ("current", "archived")  # the `status` values of DC's space filter, listed in this order
R = TypeVar("R")


class ConfluenceDataCenterAPI(DataCenterProbes, ContentRestrictionReads):
    """The Data Center side of `ConfluenceAPI`, with the `SiteProbes` capability (probes mixed in).
    Content restrictions are read (users by userKey, groups by name); restriction writes are not
    implemented for Data Center (client/capability_content_restrictions.py)."""

    deployment = Deployment.DATACENTER
    content_base = REST
    subject_ids = DATACENTER_SUBJECT_IDS

    def __init__(self, http: ConfluenceHTTP) -> None:
        self.http = http
        self.space_keys = SpaceKeys(self._all_spaces_page)
        self.user_keys = UserKeys(http)
        self.permission_reader = SpacePermissionReader(http, self.features, self.user_keys)
        self.global_permission_reader = DcGlobalPermissions(http, self.features, self.user_keys)
        self.last_activity_reader = DcLastActivity(http)
        self._features: Features | None = None
        self._features_lock = asyncio.Lock()

    def requests_sent(self) -> int:
        return self.http.stats.total

    def rate_limited_by_reason(self) -> dict[str, int]:
        return dict(self.http.stats.rate_limited_by_reason)

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- the site (client/capability_site.py) ------------------------------------------------
    async def site_identity(self) -> SiteIdentity:
        return instance_identity(self.http.base_url)

    async def global_permissions(self) -> GlobalPermissionListing:
        return await self.global_permission_reader.global_permissions()

    async def last_active(self, account: Account) -> LastActive:
        """`LastActivityReader` (client/capability_last_activity.py); asked only with --last-activity."""
        return await self.last_activity_reader.last_active(account)

    def forget_last_activity(self) -> None:
        self.last_activity_reader.forget_last_activity()

    async def features(self) -> Features:
        """The site's version and what it supports; asked once per client, shared with Validate."""
        async with self._features_lock:
            if self._features is None:
                self._features = await detect(self.http)
        return self._features

    # --- users ------------------------------------------------------------------------------
    async def search_users(self, token: str, *, include_guests: bool = True) -> ListingPage[Account]:
        """GET /rest/api/user/list?expand=status: every registered user, disabled ones included.

        DC has no guests; `include_guests` is accepted for the shared signature.
        """
        page = await self._v1_list(f"{REST}/user/list", token, shapes.user, {"expand": "status"})
        self.user_keys.remember(page.items)
        return page

    # --- groups -----------------------------------------------------------------------------
    async def list_groups(self, token: str) -> ListingPage[Group]:
        return await self._v1_list(f"{REST}/group", token, shapes.group)

    async def group_members(self, group_id: str, token: str) -> ListingPage[Account]:
        """GET /rest/api/group/{groupName}/member; `group_id` is the name (DC groups have no id)."""
        path = api_path(f"{REST}/group/{{}}/member", group_id)
        page = await self._v1_list(path, token, shapes.user, {"expand": "status"})
        self.user_keys.remember(page.items)
        return page

    async def is_group_member(self, group_id: str, account_id: str) -> bool:
        """Whether the user key is in the group now: pages the group's members until it shows up
        (the documented Data Center way; `account_id` is the user key)."""
        return await any_item(lambda token: self.group_members(group_id, token), lambda member: member.id == account_id)

    async def add_group_member(self, *, group_id: str, account_id: str) -> None:
        """PUT /rest/api/user/{username}/group/{groupName} (idempotent; 204)."""
        username = await self.username_of(account_id)
        await self.http.put_json(api_path(f"{REST}/user/{{}}/group/{{}}", username, group_id), None)

    async def remove_group_member(self, *, group_id: str, account_id: str) -> None:
        """DELETE /rest/api/user/{username}/group/{groupName} (idempotent; 204)."""
        username = await self.username_of(account_id)
        await self.http.delete(api_path(f"{REST}/user/{{}}/group/{{}}", username, group_id))

    async def get_user(self, account_id: str) -> Account | None:
        """GET /rest/api/user?key=…&expand=status: one user by key (the DC account id); None on 404."""
        found = await found_or_none(self.http.get_json(f"{REST}/user", {"key": account_id, "expand": "status"}))
        return None if found is None else shapes.user(found)

    async def get_group(self, group_id: str) -> Group | None:
        """GET /rest/api/group/{groupName}: one group (DC group ids are names); None on 404."""
        found = await found_or_none(self.http.get_json(api_path(f"{REST}/group/{{}}", group_id)))
        return None if found is None else shapes.group(found)

    async def username_of(self, user_key: str) -> str:
        """GET /rest/api/user?key=: the current username of a user key (usernames can change)."""
        response = await self.http.get_json(f"{REST}/user", {"key": user_key})
        username = response.json_object().get("username")
        if not isinstance(username, str) or not username:
            raise ConnectorError(grpc.StatusCode.NOT_FOUND, f"baton-confluence: no user with key {user_key}")
        return username

    # --- spaces -----------------------------------------------------------------------------
    async def list_spaces(
        self,
        token: str,
        *,
        type: str | None = None,
        status: str | None = None,
        keys: Sequence[str] | None = None,
    ) -> ListingPage[Space]:
        """GET /rest/api/space, one leg per status (`current`, then `archived`; only the asked one
        when `status` is given). `keys` is not sent (the filter re-checks every space anyway).

        Which statuses an unfiltered listing returns is not documented (the simulator can play both),
        so each is asked for by name. Tokens are `<status>:<offset token>`."""
        legs = (status,) if status in SPACE_STATUSES else SPACE_STATUSES
        leg, inner = _space_leg(token, legs)
        params: QueryParams = {"type": type if type in SPACE_TYPES else None, "status": legs[leg]}
        page = await self._v1_list(f"{REST}/space", inner, shapes.space, params)
        self.space_keys.remember(page.items)
        if page.next_token:
            next_token = f"{legs[leg]}:{page.next_token}"
        else:
            next_token = f"{legs[leg + 1]}:" if leg + 1 < len(legs) else ""
        return ListingPage(page.items, next_token, page.rate_limit)

    async def get_space(self, space_id: str) -> Space | None:
        key = await self.space_keys.key_of(space_id)
        response = await self.http.get_json(api_path(f"{REST}/space/{{}}", key))
        return shapes.space(response.json_object())

    async def space_permissions(self, space_id: str, token: str) -> ListingPage[SpacePermission]:
        """Every permission of the space in one page: 9.1 REST or the JSON-RPC remote API
        (`permission_reader.py`); both answer the whole list at once."""
        key = await self.space_keys.key_of(space_id)
        return await self.permission_reader.read(key)

    async def add_space_permission(
        self, space_key: str, *, subject_type: str, identifier: str, operation_key: str, target: str
    ) -> None:
        """PUT .../permissions/{user|group}/{id}/grant: adds the pair if missing (no error if held)."""
        pair = await self._writable_pair(operation_key, target)
        await self._permission_write(space_key, subject_type, identifier, "grant", pair)

    async def remove_space_permission(self, space_key: str, *, permission_id: str) -> None:
        """PUT .../permissions/{user|group}/{id}/revoke; `permission_id` is a `space_permissions` id."""
        parsed_id = shapes.parse_permission_id(permission_id)
        if parsed_id is None:
            raise ConnectorError(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"baton-confluence: {permission_id!r} is not a Data Center permission id",
            )
        kind, principal_id, target, operation = parsed_id
        await self._permission_write(space_key, kind, principal_id, "revoke", (target, operation))

    # --- helpers ----------------------------------------------------------------------------
    async def _v1_list(
        self, path: str, token: str, shape: Callable[[dict[str, Any]], R | None], extra: QueryParams | None = None
    ) -> ListingPage[R]:
        start = v1_start(token)
        params: QueryParams = {**(extra or {}), "start": start, "limit": DC_PAGE_SIZE}
        response = await self.http.get_json(path, params)
        page = v1_page(response.data, start=start, asked_limit=DC_PAGE_SIZE, rate_limit=response.rate_limit)
        return parsed(page, shape)

    async def _all_spaces_page(self, token: str) -> ListingPage[Space]:
        return await self.list_spaces(token)

    async def _writable_pair(self, operation_key: str, target: str) -> tuple[str, str]:
        unavailable = (await self.features()).permissions_unavailable()
        if unavailable:
            raise ConnectorError(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"baton-confluence: cannot change space permissions: {unavailable}; upgrade to 9.1 or later",
            )
        pair = to_dc(Permission(operation_key, target))
        if pair is None:
            raise ConnectorError(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"baton-confluence: {operation_key}-{target} is not a Confluence Data Center space permission",
            )
        return pair

    async def _permission_write(
        self, space_key: str, subject_type: str, identifier: str, action: str, pair: tuple[str, str]
    ) -> None:
        kind = subject_type.lower()
        if kind not in ("user", "group"):
            raise ConnectorError(
                grpc.StatusCode.INVALID_ARGUMENT, f"baton-confluence: cannot {action} a permission for a {kind!r}"
            )
        path = api_path(f"{REST}/space/{{}}/permissions/{kind}/{{}}/{action}", space_key, identifier)
        await self.http.put_json(path, [{"targetType": pair[0], "operationKey": pair[1]}])


def _space_leg(token: str, legs: tuple[str, ...]) -> tuple[int, str]:
    """(leg index, offset token) of a space-listing token; a bare offset resumes the first leg."""
    if ":" not in token:
        return 0, token
    status, _, inner = token.partition(":")
    if status not in legs:
        raise ConnectorError(
            grpc.StatusCode.INVALID_ARGUMENT, f"baton-confluence: {token!r} is not a space listing token"
        )
    return legs.index(status), inner
