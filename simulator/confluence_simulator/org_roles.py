"""Confluence product roles in the organization admin API (likely/uncertain; FACTS.md §Organization
admin API): who administers and who may use the Confluence site, as roles given to groups.

- `GET /admin/v2/orgs/{orgId}/directories/{directoryId}/groups`: `{"data": [{"id", "name"}],
  "links": {"next"}}` (cursor in `?cursor=`).
- `GET /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/{groupId}/role-assignments`:
  `{"data": [<one resource's roles>], "links": {}}`, each naming its `resourceId`
  (`ari:cloud:confluence::site/<cloudId>`) and its roles in the spec's `role_shape`.

Roles follow `site_global.global_grants`: a group that may use the site has `atlassian/user`, one
that administers Confluence `atlassian/admin`, one that administers the system
`atlassian/site-admin`; the default Jira group has `atlassian/user` on a Jira site (another
resource), so a client must read the resource id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from confluence_simulator.errors import ApiError
from confluence_simulator.routing import Request, Response, json_response
from confluence_simulator.site_admin_spec import ROLES_FLAT, ROLES_LIST
from confluence_simulator.site_global import (
    ADMINISTER_APPLICATION,
    ADMINISTER_SYSTEM,
    GROUP,
    USE_APPLICATION,
    cloud_id_of,
    global_grants,
)
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import SiteState

GROUPS = "/admin/v2/orgs/{orgId}/directories/{directoryId}/groups"
GROUP_ROLES = "/admin/v2/orgs/{orgId}/directories/{directoryId}/groups/{groupId}/role-assignments"
ROLE_OF_PAIR = {
    USE_APPLICATION: "atlassian/user",
    ADMINISTER_APPLICATION: "atlassian/admin",
    ADMINISTER_SYSTEM: "atlassian/site-admin",
}
JIRA_GROUP = "jira-software-users"


def product_roles(state: SiteState, spec: SiteSpec) -> dict[str, list[str]]:
    """Group id -> the roles it holds on the Confluence site (tests read the expected grants here)."""
    out: dict[str, list[str]] = {}
    for grant in global_grants(state, spec):
        role = ROLE_OF_PAIR.get((grant.operation, grant.target))
        if grant.subject_type == GROUP and role is not None:
            out.setdefault(state.groups_by_name[grant.subject_id].id, []).append(role)
    return out


class OrgRolesApi:
    def __init__(self, state: SiteState, spec: SiteSpec) -> None:
        self.state = state
        self.spec = spec
        self.cloud_id = cloud_id_of(spec)

    def groups(self, req: Request, params: dict[str, str]) -> Response:
        self._org(params)
        with self.state.lock:
            groups = [self.state.groups[g] for g in self.state.group_order]
        size = self.spec.site_admin.group_page_size
        start = int(req.param("cursor") or 0)
        page = groups[start:start + size]
        links: dict[str, Any] = {}
        if start + size < len(groups):
            links["next"] = f"{req.base_url}{req.path}?cursor={start + size}"
        return json_response(200, {"data": [{"id": g.id, "name": g.name} for g in page], "links": links})

    def group_roles(self, _req: Request, params: dict[str, str]) -> Response:
        self._org(params)
        group = self.state.groups.get(unquote(params["groupId"]))
        if group is None:
            raise ApiError(404, "Group not found")
        data = []
        roles = product_roles(self.state, self.spec).get(group.id, [])
        if roles:
            data.extend(self._resource(f"ari:cloud:confluence::site/{self.cloud_id}", roles))
        if group.name == JIRA_GROUP:
            data.extend(self._resource(f"ari:cloud:jira::site/{self.cloud_id}", ["atlassian/user"]))
        return json_response(200, {"data": data, "links": {}})

    def _resource(self, resource_id: str, roles: list[str]) -> list[dict[str, Any]]:
        shape = self.spec.site_admin.role_shape
        if shape == ROLES_FLAT:
            return [{"resourceId": resource_id, "role": role} for role in roles]
        if shape == ROLES_LIST:
            return [{"resourceId": resource_id, "roles": roles}]
        return [{"resourceId": resource_id, "resourceOwner": "confluence",
                 "roleAssignments": [{"role": r, "roleAssignmentMethods": ["direct"]} for r in roles]}]

    def _org(self, params: dict[str, str]) -> None:
        if params["orgId"] != self.spec.site_admin.org_id:
            raise ApiError(404, "Organization not found")
