"""Cloud's site permissions: the Confluence product roles of the organization's groups, read from
the organization admin API (with `--org-id` and `--org-api-key`; docs/site-and-activity.md §Cloud).

Confluence Cloud has no site-permission REST on the site itself; Atlassian Administration gives
the product to groups as roles. Routes and shapes are likely, not certain (FACTS.md §Organization
admin API), so each plausible shape is read:

1. `GET /admin/v2/orgs/{orgId}/directories/-/groups` (cursor paging, `links.next`): the groups;
2. `GET /admin/v2/orgs/{orgId}/directories/-/groups/{groupId}/role-assignments` for each group,
   concurrently at the admin client's pace: items naming a `resourceId` and their roles, as
   `roleAssignments[].role`, `roles[]` or `role`.

Only items whose `resourceId` is this site's Confluence (`ari:cloud:confluence::site/<cloudId>`)
count. Mapping (why: docs/site-and-activity.md): `atlassian/admin` -> `administer-application`,
`atlassian/user` -> `use-application`; any other role (`atlassian/site-admin`, `atlassian/guest`...)
is passed on as `<role>-product_role` and counted as an unknown pair by the site syncer. Roles
given to single accounts directly are read by `org_user_roles.OrgUserRoles` when one is given
(the connector always gives one); without it the listing says they were not read (`partial`).
"""

from __future__ import annotations

import asyncio
from typing import Any

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client.capability_site import (
    GlobalPermission,
    GlobalPermissionListing,
    SiteIdentityReader,
)
from baton_confluence.confluence.client.org_admin import OrgAdmin
from baton_confluence.confluence.client.org_last_activity import next_cursor
from baton_confluence.confluence.client.org_user_roles import UNKNOWN_TO_ORG, OrgUserRoles
from baton_confluence.confluence.client.records import obj, text
from baton_confluence.confluence.client.urls import QueryParams, api_path

GROUPS = "/admin/v2/orgs/{}/directories/-/groups"
GROUP_ROLES = "/admin/v2/orgs/{}/directories/-/groups/{}/role-assignments"
ROLE_PAIRS = {"atlassian/admin": ("administer", "application"), "atlassian/user": ("use", "application")}
OTHER_ROLE_TARGET = "product_role"
CONFLUENCE_SITE = "ari:cloud:confluence::site/"
REASON_NOT_READABLE = "org_roles_not_readable"
PARTIAL_DIRECT_ROLES = "direct_user_roles_not_read"


class OrgProductRoles:
    def __init__(self, admin: OrgAdmin, site: SiteIdentityReader, direct: OrgUserRoles | None = None) -> None:
        self.admin = admin
        self.site = site
        self.direct = direct

    async def global_permissions(self) -> GlobalPermissionListing:
        cloud_id = (await self.site.site_identity()).id
        try:
            groups = await self._groups()
        except ConnectorError as err:
            if err.code not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED):
                raise
            return GlobalPermissionListing(
                unavailable=REASON_NOT_READABLE,
                detail=f"the organization admin API would not list the groups of --org-id ({err.message}); "
                "the site resource has no grants",
            )
        found = await asyncio.gather(*(self._roles(group_id, cloud_id) for group_id in groups))
        by_group = {group_id: frozenset(roles) for group_id, roles in zip(groups, found, strict=True) if roles}
        items = [_permission(role, "group", group_id) for group_id, roles in by_group.items() for role in roles]
        if self.direct is None:
            return GlobalPermissionListing(tuple(items), partial=PARTIAL_DIRECT_ROLES)
        direct = await self.direct.direct_roles(CONFLUENCE_SITE + cloud_id, by_group)
        items += [_permission(role, "user", account) for account, roles in direct.roles.items() for role in roles]
        counts = ((UNKNOWN_TO_ORG, direct.unknown_accounts),) if direct.unknown_accounts else ()
        return GlobalPermissionListing(tuple(items), partial=direct.partial, detail=direct.detail, counts=counts)

    async def _groups(self) -> list[str]:
        ids: list[str] = []
        cursor = ""
        while True:
            params: QueryParams = {"cursor": cursor} if cursor else {}
            page = (await self.admin.http.get_json(api_path(GROUPS, self.admin.org_id), params)).json_object()
            data = [group for group in page.get("data") or [] if isinstance(group, dict)]
            ids.extend(text(group.get("id")) for group in data if text(group.get("id")))
            cursor = next_cursor(obj(page.get("links")).get("next"))
            if not cursor or not data:
                return ids

    async def _roles(self, group_id: str, cloud_id: str) -> list[str]:
        """The roles the group holds on this site's Confluence."""
        path = api_path(GROUP_ROLES, self.admin.org_id, group_id)
        page = (await self.admin.http.get_json(path)).json_object()
        out: list[str] = []
        for item in page.get("data") or []:
            if isinstance(item, dict) and text(item.get("resourceId")) == CONFLUENCE_SITE + cloud_id:
                out.extend(_roles_of(item))
        return list(dict.fromkeys(out))


def _permission(role: str, principal_type: str, principal_id: str) -> GlobalPermission:
    operation, target = ROLE_PAIRS.get(role, (role.removeprefix("atlassian/"), OTHER_ROLE_TARGET))
    return GlobalPermission(operation, target, principal_type, principal_id)


def _roles_of(item: dict[str, Any]) -> list[str]:
    """The roles of one resource's item, in any of the shapes of the module docstring."""
    roles = [text(obj(a).get("role")) for a in item.get("roleAssignments") or [] if isinstance(a, dict)]
    roles += [text(r) for r in item.get("roles") or [] if isinstance(r, str)]
    roles.append(text(item.get("role")))
    return list(dict.fromkeys(r for r in roles if r))
