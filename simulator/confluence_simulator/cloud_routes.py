"""The Confluence Cloud route table: every path the simulated Cloud site serves.

A Data Center flavour would be a sibling module building its own `Router` (paths under its context
path, `/rest/api/...`, PAT auth, its own endpoints) from the same `SiteState`.
"""

from __future__ import annotations

from confluence_simulator import spec as families
from confluence_simulator.cloud_auth import authenticate_cloud
from confluence_simulator.cloud_v1 import CloudV1Api
from confluence_simulator.cloud_v2 import CloudV2Api
from confluence_simulator.credential_kinds import TENANT_INFO_PATH, tenant_info
from confluence_simulator.errors import PERMISSION_EXCEPTION, STYLE_V1, STYLE_V2
from confluence_simulator.flavor import Flavor
from confluence_simulator.routing import Handler, Router
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import SiteState

V1 = "/wiki/rest/api"
V2 = "/wiki/api/v2"

# v1 refuses with 403 and a PermissionException message; v2 hides with 404 (both documented).
_V1_DENIED = 403
_V2_DENIED = 404


def _style(path: str) -> str:
    return STYLE_V2 if path.startswith(V2 + "/") else STYLE_V1


def build_cloud_router(state: SiteState, spec: SiteSpec) -> Router:
    v1 = CloudV1Api(state, spec)
    v2 = CloudV2Api(state, spec)
    router = Router(default_style=_style)

    def add_v1(method: str, path: str, handler: Handler, family: str, message: str) -> None:
        router.add(method, V1 + path, handler,
                   family=family, style=STYLE_V1, denied_status=_V1_DENIED,
                   denied_message=PERMISSION_EXCEPTION + message)

    def add_v2(method: str, path: str, handler: Handler, family: str) -> None:
        router.add(method, V2 + path, handler,
                   family=family, style=STYLE_V2, denied_status=_V2_DENIED,
                   denied_message="Not Found")

    add_v1("GET", "/user/current", v1.current_user, families.FAMILY_CURRENT_USER,
           "Current user not permitted to use Confluence")
    add_v1("GET", "/search/user", v1.search_users, families.FAMILY_USERS_SEARCH,
           "User is not permitted to view users")
    # Looking one account up needs the same "view users" permission as the search (as on DC).
    add_v1("GET", "/user", v1.get_user, families.FAMILY_USERS_SEARCH,
           "User is not permitted to view users")
    add_v1("GET", "/user/memberof", v1.user_groups, families.FAMILY_GROUPS,
           "User is not permitted to view groups")
    add_v1("GET", "/group", v1.list_groups, families.FAMILY_GROUPS,
           "User is not permitted to view groups")
    add_v1("GET", "/group/by-id", v1.group_by_id, families.FAMILY_GROUPS,
           "User is not permitted to view groups")
    add_v1("GET", "/group/{groupId}/membersByGroupId", v1.group_members, families.FAMILY_GROUPS,
           "User is not permitted to view users")
    add_v1("POST", "/group/userByGroupId", v1.add_group_member, families.FAMILY_GROUP_WRITE,
           "User must be a site admin")
    add_v1("DELETE", "/group/userByGroupId", v1.remove_group_member, families.FAMILY_GROUP_WRITE,
           "User must be a site admin")
    add_v1("POST", "/space/{spaceKey}/permission", v1.add_space_permission,
           families.FAMILY_SPACE_PERMISSION_WRITE, "User isn't authorized to modify permissions.")
    add_v1("DELETE", "/space/{spaceKey}/permission/{id}", v1.remove_space_permission,
           families.FAMILY_SPACE_PERMISSION_WRITE, "User isn't authorized to modify permissions.")

    add_v2("GET", "/spaces", v2.list_spaces, families.FAMILY_SPACES)
    add_v2("GET", "/spaces/{id}", v2.get_space, families.FAMILY_SPACES)
    add_v2("GET", "/spaces/{id}/permissions", v2.list_space_permissions, families.FAMILY_SPACE_PERMISSIONS)
    add_v2("GET", "/space-role-mode", v2.space_role_mode, families.FAMILY_SPACE_ROLES)
    add_v2("GET", "/space-roles", v2.list_space_roles, families.FAMILY_SPACE_ROLES)
    add_v2("GET", "/spaces/{id}/role-assignments", v2.list_role_assignments, families.FAMILY_SPACE_ROLES)
    add_v2("POST", "/spaces/{id}/role-assignments", v2.set_role_assignments,
           families.FAMILY_ROLE_ASSIGNMENT_WRITE)
    add_v2("POST", "/users-bulk", v2.users_bulk, families.FAMILY_USERS_BULK)
    router.add("GET", TENANT_INFO_PATH, lambda _req, _params: tenant_info(spec),
               family=None, style=STYLE_V1, denied_status=_V1_DENIED)
    return router


CLOUD = Flavor("cloud", build_cloud_router, authenticate_cloud)
