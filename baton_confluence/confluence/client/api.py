"""`ConfluenceCloudAPI`: the Confluence Cloud endpoints the connector uses, one call per page.

List methods return one `ListingPage` and never loop: the sync engine calls again with `next_token`
(possibly after a restart), so no listing is ever buffered whole. Path segments are escaped.
Write methods take their ids as keyword arguments, so an account id can never be passed where a
group id belongs (the upstream connector shipped exactly that swap).

Page sizes, and where they come from:

- v2 lists (`/spaces`, `/spaces/{id}/permissions`, `/spaces/{id}/role-assignments`,
  `/space-roles`): `limit` minimum 1, default 25, **maximum 250**, per Atlassian's Confluence
  Cloud REST v2 OpenAPI document (openapi-v2.v3.json, as pinned in May 2026).
- `/group/{groupId}/membersByGroupId`: **200**; larger limits are rejected with 400 (upstream
  baton-confluence #33). Atlassian documents the same fixed 200 cap for the by-name variant.
- `/group` and `/search/user`: Atlassian documents no maximum, only that `limit` "may be
  restricted by fixed system limits". 200 is what the upstream connector has sent to production
  sites since April 2026; a site that caps lower only costs extra pages, never lost rows, because
  the next start counts the items received and a page as full as the `limit` it echoes is never
  taken for the last (client/pagination.py `v1_page`).
- User search returns nothing past offset 10,000 (Atlassian CONFCLOUD-77954).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import grpc
import structlog

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import records
from baton_confluence.confluence.client.content_restrictions import CLOUD_SUBJECT_IDS, ContentRestrictionWrites
from baton_confluence.confluence.client.contract import Deployment
from baton_confluence.confluence.client.errors import EndpointGone
from baton_confluence.confluence.client.pagination import ListingPage, Raw, any_item, parsed, v1_page, v1_start, v2_page
from baton_confluence.confluence.client.probes import CloudProbes
from baton_confluence.confluence.client.records import Account, Group, RoleAssignment, Space, SpacePermission, SpaceRole
from baton_confluence.confluence.client.site_identity import CloudSiteIdentity, SiteIdentity
from baton_confluence.confluence.client.transport import ConfluenceHTTP, JsonResponse, found_or_none
from baton_confluence.confluence.client.urls import QueryParams, api_path
from baton_confluence.confluence.client.users_v2 import account_by_id_v2

log = structlog.get_logger("baton_confluence.confluence.client.api")

V2_PAGE_SIZE = 250
GROUP_MEMBERS_PAGE_SIZE = 200
GROUPS_PAGE_SIZE = 200
USER_GROUPS_PAGE_SIZE = 200
USER_SEARCH_PAGE_SIZE = 200
USER_SEARCH_CEILING = 10_000

PRINCIPAL_TYPES = frozenset({"USER", "GROUP", "ACCESS_CLASS"})

_V1 = "/wiki/rest/api"
_V2 = "/wiki/api/v2"


class ConfluenceCloudAPI(CloudProbes, ContentRestrictionWrites):
    """The Confluence Cloud side of `ConfluenceAPI` (client/contract.py), with the capabilities
    `SpaceRolesAPI` (v2 `/space-roles` and role assignments), `SiteProbes` (probes mixed in) and
    content restrictions read and written (client/capability_content_restrictions.py)."""

    deployment = Deployment.CLOUD
    content_base = _V1
    subject_ids = CLOUD_SUBJECT_IDS

    def __init__(self, http: ConfluenceHTTP, *, site_url: str = "") -> None:
        """`site_url`: the site's own address when `http` goes through the API gateway (its name)."""
        self.http = http
        self._site = CloudSiteIdentity(http, site_url)
        self._v1_user_gone = False

    async def site_identity(self) -> SiteIdentity:
        """`SiteIdentityReader` (client/capability_site.py): the cloudId, one request per client."""
        return await self._site.site_identity()

    def requests_sent(self) -> int:
        return self.http.stats.total

    def rate_limited_by_reason(self) -> dict[str, int]:
        return dict(self.http.stats.rate_limited_by_reason)

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- users ------------------------------------------------------------------------------
    async def get_user(self, account_id: str) -> Account | None:
        """GET /wiki/rest/api/user?accountId=…&expand=operations: one account, any type; None on 404.

        For principals a grant names that no listing returned (v1 "Get user"; the account may
        have been deleted since, which the site answers with 404).
        """
        if self._v1_user_gone:
            return await account_by_id_v2(self.http, account_id)
        params: QueryParams = {"accountId": account_id, "expand": "operations"}
        try:
            found = await found_or_none(self.http.get_json(f"{_V1}/user", params))
        except EndpointGone:
            self._v1_user_gone = True  # 410 for OAuth 2.0 tokens: v2 from now on (client/users_v2.py)
            return await account_by_id_v2(self.http, account_id)
        return None if found is None else records.account(found)

    async def get_group(self, group_id: str) -> Group | None:
        """GET /wiki/rest/api/group/by-id?id=…: one group; None on 404."""
        found = await found_or_none(self.http.get_json(f"{_V1}/group/by-id", {"id": group_id}))
        return None if found is None else records.group(found)

    async def search_users(self, token: str, *, include_guests: bool = True) -> ListingPage[Account]:
        """GET /wiki/rest/api/search/user?cql=type=user: one page of users (v1 offsets).

        `sitePermissionTypeFilter=all` includes guests (external collaborators); `none`, the
        API's default, returns licensed users only. Each item is the result's `user` object,
        with `operations` expanded (an empty list marks an unlicensed or deactivated account).
        """
        start = v1_start(token)
        if start >= USER_SEARCH_CEILING:
            # Only a token from an older checkpoint can point here: the site would answer nothing.
            self._warn_search_ceiling(start)
            return ListingPage([], "", ceiling_reached=True)
        params: QueryParams = {
            "cql": "type=user",
            "expand": "operations",
            "sitePermissionTypeFilter": "all" if include_guests else "none",
            "start": start,
            "limit": USER_SEARCH_PAGE_SIZE,
        }
        response = await self.http.get_json(f"{_V1}/search/user", params)
        page = v1_page(
            response.data,
            start=start,
            asked_limit=USER_SEARCH_PAGE_SIZE,
            rate_limit=response.rate_limit,
            ceiling=USER_SEARCH_CEILING,
        )
        if page.ceiling_reached:
            self._warn_search_ceiling(start)
        users = [item["user"] if isinstance(item.get("user"), dict) else item for item in page.items]
        return parsed(replace(page, items=users), records.account)

    @staticmethod
    def _warn_search_ceiling(start: int) -> None:
        log.warning(
            "confluence_user_search_ceiling",
            start=start,
            ceiling=USER_SEARCH_CEILING,
            detail="the user search serves nothing at or past this offset: further accounts are "
            "reached through group memberships and the grants that name them; accounts in no group "
            "that hold nothing are not listed",
        )

    # --- groups -----------------------------------------------------------------------------
    async def list_groups(self, token: str) -> ListingPage[Group]:
        """GET /wiki/rest/api/group: one page of groups (`id`, `name`, `type`)."""
        start = v1_start(token)
        response = await self.http.get_json(f"{_V1}/group", {"start": start, "limit": GROUPS_PAGE_SIZE})
        page = v1_page(response.data, start=start, asked_limit=GROUPS_PAGE_SIZE, rate_limit=response.rate_limit)
        return parsed(page, records.group)

    async def group_members(self, group_id: str, token: str) -> ListingPage[Account]:
        """GET /wiki/rest/api/group/{groupId}/membersByGroupId: one page of members."""
        start = v1_start(token)
        path = api_path(f"{_V1}/group/{{}}/membersByGroupId", group_id)
        params: QueryParams = {"start": start, "limit": GROUP_MEMBERS_PAGE_SIZE, "expand": "operations"}
        response = await self.http.get_json(path, params)
        page = v1_page(response.data, start=start, asked_limit=GROUP_MEMBERS_PAGE_SIZE, rate_limit=response.rate_limit)
        return parsed(page, records.account)

    async def groups_of_user(self, account_id: str, token: str) -> ListingPage[Group]:
        """GET /wiki/rest/api/user/memberof?accountId=…: one page of the groups a user is in."""
        start = v1_start(token)
        params: QueryParams = {"accountId": account_id, "start": start, "limit": USER_GROUPS_PAGE_SIZE}
        response = await self.http.get_json(f"{_V1}/user/memberof", params)
        page = v1_page(response.data, start=start, asked_limit=USER_GROUPS_PAGE_SIZE, rate_limit=response.rate_limit)
        return parsed(page, records.group)

    async def is_group_member(self, group_id: str, account_id: str) -> bool:
        """Whether the account is in the group now, read live from the site.

        Pages the user's groups, not the group's members: a user is in a handful of groups,
        while a group such as confluence-users can have tens of thousands of members.
        """
        return await any_item(lambda token: self.groups_of_user(account_id, token), lambda group: group.id == group_id)

    async def add_group_member(self, *, group_id: str, account_id: str) -> None:
        """POST /wiki/rest/api/group/userByGroupId?groupId=… {"accountId": …} (201, empty body)."""
        await self.http.post_json(f"{_V1}/group/userByGroupId", {"accountId": account_id}, {"groupId": group_id})

    async def remove_group_member(self, *, group_id: str, account_id: str) -> None:
        """DELETE /wiki/rest/api/group/userByGroupId?groupId=…&accountId=…."""
        await self.http.delete(f"{_V1}/group/userByGroupId", {"groupId": group_id, "accountId": account_id})

    # --- spaces -----------------------------------------------------------------------------
    async def list_spaces(
        self,
        token: str,
        *,
        type: str | None = None,
        status: str | None = None,
        keys: Sequence[str] | None = None,
    ) -> ListingPage[Space]:
        """GET /wiki/api/v2/spaces: one page of the spaces the caller can see, sorted by id.

        `type` is one value (global, collaboration, knowledge_base, personal, ...), `status`
        current or archived, `keys` at most 250 keys (sent comma-separated).
        """
        params: QueryParams = {
            "limit": V2_PAGE_SIZE,
            "cursor": token or None,
            "type": type,
            "status": status,
            "keys": ",".join(keys) if keys else None,
        }
        response = await self.http.get_json(f"{_V2}/spaces", params)
        return parsed(_v2(response, token), records.space)

    async def get_space(self, space_id: str) -> Space | None:
        """GET /wiki/api/v2/spaces/{id} (NOT_FOUND raised when the site answers 404)."""
        response = await self.http.get_json(api_path(f"{_V2}/spaces/{{}}", space_id))
        return records.space(response.json_object())

    async def space_permissions(self, space_id: str, token: str) -> ListingPage[SpacePermission]:
        """GET /wiki/api/v2/spaces/{id}/permissions: `principal{type,id}`, `operation{key,targetType}`."""
        path = api_path(f"{_V2}/spaces/{{}}/permissions", space_id)
        response = await self.http.get_json(path, {"limit": V2_PAGE_SIZE, "cursor": token or None})
        return parsed(_v2(response, token), records.space_permission)

    async def add_space_permission(
        self, space_key: str, *, subject_type: str, identifier: str, operation_key: str, target: str
    ) -> None:
        """POST /wiki/rest/api/space/{spaceKey}/permission: grant one permission (needs space admin).

        `subject_type` is `user` (identifier: account id) or `group` (group id); the operation is
        a `key`/`target` pair such as read/space or create/page.
        """
        body = {
            "subject": {"type": subject_type, "identifier": identifier},
            "operation": {"key": operation_key, "target": target},
        }
        await self.http.post_json(api_path(f"{_V1}/space/{{}}/permission", space_key), body)

    async def remove_space_permission(self, space_key: str, *, permission_id: str) -> None:
        """DELETE /wiki/rest/api/space/{spaceKey}/permission/{id}.

        Removing read/space removes every permission of that subject in the space.
        """
        await self.http.delete(api_path(f"{_V1}/space/{{}}/permission/{{}}", space_key, permission_id))

    # --- space roles (RBAC) -----------------------------------------------------------------
    async def space_role_mode(self) -> str:
        """GET /wiki/api/v2/space-role-mode: PRE_ROLES, ROLES_TRANSITION or ROLES ('' if absent)."""
        response = await self.http.get_json(f"{_V2}/space-role-mode")
        mode = response.json_object().get("mode")
        return mode if isinstance(mode, str) else ""

    async def list_space_roles(
        self, token: str, *, space_id: str | None = None, role_type: str | None = None
    ) -> ListingPage[SpaceRole]:
        """GET /wiki/api/v2/space-roles: one page of the roles available on the site (or a space)."""
        params: QueryParams = {
            "limit": V2_PAGE_SIZE,
            "cursor": token or None,
            "space-id": space_id,
            "role-type": role_type,
        }
        response = await self.http.get_json(f"{_V2}/space-roles", params)
        return parsed(_v2(response, token), records.space_role)

    async def space_role_assignments(
        self,
        space_id: str,
        token: str,
        *,
        role_id: str | None = None,
        principal_id: str | None = None,
        principal_type: str | None = None,
    ) -> ListingPage[RoleAssignment]:
        """GET /wiki/api/v2/spaces/{id}/role-assignments: `principal{principalType,principalId}`, `roleId`.

        The API requires `principal_id` and `principal_type` together.
        """
        if (principal_id is None) != (principal_type is None):
            raise ConnectorError(
                grpc.StatusCode.INVALID_ARGUMENT,
                "baton-confluence: space_role_assignments needs principal_id and principal_type together",
            )
        params: QueryParams = {
            "limit": V2_PAGE_SIZE,
            "cursor": token or None,
            "role-id": role_id,
            "principal-id": principal_id,
            "principal-type": principal_type.upper() if principal_type else None,
        }
        path = api_path(f"{_V2}/spaces/{{}}/role-assignments", space_id)
        return parsed(_v2(await self.http.get_json(path, params), token), records.role_assignment)

    async def set_role_assignments(self, space_id: str, assignments: Sequence[RoleAssignment]) -> list[RoleAssignment]:
        """POST /wiki/api/v2/spaces/{id}/role-assignments with a JSON array of assignments.

        Per entry: with `roleId` the principal gets that role; without it the principal's role in
        the space is removed if it has one. The call is a declarative "set", so replaying it is
        harmless and it is retried like a PUT. Answers 200 with the resulting assignments; 413
        when the body exceeds 5 MB.
        """
        for assignment in assignments:
            if assignment.principal_type.upper() not in PRINCIPAL_TYPES:
                raise ConnectorError(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"baton-confluence: unknown principal type {assignment.principal_type!r}; "
                    f"expected one of {', '.join(sorted(PRINCIPAL_TYPES))}",
                )
        path = api_path(f"{_V2}/spaces/{{}}/role-assignments", space_id)
        body = [assignment.to_json() for assignment in assignments]
        response = await self.http.post_json(path, body, idempotent=True)
        return [found for item in response.results() if (found := records.role_assignment(item)) is not None]


def _v2(response: JsonResponse, cursor: str) -> ListingPage[Raw]:
    return v2_page(response.data, response.headers, cursor=cursor, rate_limit=response.rate_limit)
