"""Confluence product roles held by single accounts, in the organization admin API (likely;
FACTS.md §Site and organization):

`GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/role-assignments` →
`{"data": [<one resource's roles>], "links": {}}`, items as jira.js's
`MultiDirectoryUserRoleAssignmentSchema`: `resourceId`, `resourceOwner`, `roles[]` (deprecated),
`roleAssignments[{role, roleAssignmentMethods}]` (methods `direct`, `group_direct`, `inferred`),
`directoryId`, `userDirectoryStatus`. Which roles the deprecated `roles[]` lists, and whether the
methods are always present, is not documented: `SiteAdminSpec.user_role_shape` plays each reading
(an account's list holds the roles it has directly and through its groups).

Who holds what directly (`direct_roles`): every fifth org member (by a hash of the seed and the
account) holds `atlassian/user`, and so does every member no group gives it to (access given to the
account itself); every ninth holds `atlassian/admin`, and the first member of `confluence-admins`
holds it directly too (so "directly and through a group" always occurs). Every member also holds `atlassian/user` directly on a Jira site, another resource.
Accounts outside the organization (apps, guests) answer 404; `user_roles_status` 403/404 makes the
route refuse everyone.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import unquote

from confluence_simulator.activity import activity_of
from confluence_simulator.errors import ApiError
from confluence_simulator.org_roles import product_roles
from confluence_simulator.routing import Request, Response, json_response
from confluence_simulator.site_admin_spec import USER_ROLES_LIST, USER_ROLES_METHODS
from confluence_simulator.site_global import cloud_id_of
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import SiteState

USER_ROLES = "/admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/role-assignments"
USER, ADMIN = "atlassian/user", "atlassian/admin"
ADMINS_GROUP = "confluence-admins"
DIRECTORY_ID = "simulated-directory"


def direct_roles(state: SiteState, spec: SiteSpec) -> dict[str, set[str]]:
    """Account id -> the Confluence roles it holds directly on this site (tests read this)."""
    out: dict[str, set[str]] = {}
    users_by_group = {g for g, roles in product_roles(state, spec).items() if USER in roles}
    with state.lock:
        grouped = {m for g in users_by_group for m in state.groups[g].members}
        users = [state.users[a] for a in state.search_all]
        admins = state.groups_by_name.get(ADMINS_GROUP)
        first_admin = admins.members[0] if admins is not None and admins.members else ""
    for user in users:
        if not activity_of(spec, user).in_org:
            continue
        digest = hashlib.sha256(f"direct-roles:{spec.seed}:{user.account_id}".encode()).digest()
        roles = {USER} if digest[0] % 5 == 0 or user.account_id not in grouped else set()
        if digest[1] % 9 == 0 or user.account_id == first_admin:
            roles.add(ADMIN)
        if roles:
            out[user.account_id] = roles
    return out


def group_given_roles(state: SiteState, spec: SiteSpec, account_id: str) -> set[str]:
    """The Confluence roles an account holds through the groups it is a member of."""
    by_group = product_roles(state, spec)
    with state.lock:
        return {role for group_id, roles in by_group.items()
                if account_id in state.groups[group_id].members for role in roles}


class OrgUserRolesApi:
    def __init__(self, state: SiteState, spec: SiteSpec) -> None:
        self.state = state
        self.spec = spec
        self.cloud_id = cloud_id_of(spec)

    def user_roles(self, _req: Request, params: dict[str, str]) -> Response:
        admin = self.spec.site_admin
        if params["orgId"] != admin.org_id:
            raise ApiError(404, "Organization not found")
        if admin.user_roles_status != 200:
            raise ApiError(admin.user_roles_status, "Not Found" if admin.user_roles_status == 404 else "Forbidden")
        user = self.state.users.get(unquote(params["accountId"]))
        if user is None or not activity_of(self.spec, user).in_org:
            raise ApiError(404, "User not found")
        direct = direct_roles(self.state, self.spec).get(user.account_id, set())
        inherited = group_given_roles(self.state, self.spec, user.account_id)
        data = []
        if direct | inherited:
            data.append(self._item(f"ari:cloud:confluence::site/{self.cloud_id}", "confluence", direct, inherited))
        data.append(self._item(f"ari:cloud:jira::site/{self.cloud_id}", "jira", {USER}, set()))
        return json_response(200, {"data": data, "links": {}})

    def _item(self, resource_id: str, owner: str, direct: set[str], inherited: set[str]) -> dict[str, Any]:
        shape = self.spec.site_admin.user_role_shape
        roles = sorted(direct | inherited)
        item: dict[str, Any] = {"resourceId": resource_id, "resourceOwner": owner}
        if shape == USER_ROLES_LIST:
            return item | {"roles": roles}
        if shape == USER_ROLES_METHODS:
            assignments = [{"role": r, "roleAssignmentMethods": _methods(r, direct, inherited)} for r in roles]
            return item | {"roles": roles, "roleAssignments": assignments, "directoryId": DIRECTORY_ID,
                           "userDirectoryStatus": "ACTIVE"}
        return item | {"roleAssignments": [{"role": r} for r in roles]}


def _methods(role: str, direct: set[str], inherited: set[str]) -> list[str]:
    return (["direct"] if role in direct else []) + (["group_direct"] if role in inherited else [])
