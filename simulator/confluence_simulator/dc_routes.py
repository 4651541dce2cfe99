"""The Confluence Data Center route table: `/rest/api/...` under the site's context path.

Endpoints that arrived in later versions are only served from that version on (the spec's
`server_version`): the space-permission endpoints and `/server-information` from 9.1, the global
permissions from 9.2. An older site answers 404 there, as a real one would. The JSON-RPC remote API
(`dc_rpc.py`, `{context}/rpc/json-rpc/confluenceservice-v2`) is served on every version.
"""

from __future__ import annotations

from typing import Any, Protocol

from confluence_simulator import spec as families
from confluence_simulator.content_api import ContentApi
from confluence_simulator.dc_admin_users import DcAdminUsersApi
from confluence_simulator.dc_auth import authenticate_datacenter
from confluence_simulator.dc_directory import Directory, user_key_of
from confluence_simulator.dc_people import DcPeopleApi
from confluence_simulator.dc_rpc import RPC_PATH, DcRemoteApi
from confluence_simulator.dc_spaces import DcSpacesApi
from confluence_simulator.errors import PERMISSION_EXCEPTION, STYLE_V1
from confluence_simulator.flavor import Flavor
from confluence_simulator.ratelimit import STYLE_DATACENTER
from confluence_simulator.routing import Handler, Router
from confluence_simulator.site_global import DcGlobalPermissionsApi
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import SiteState

DEFAULT_CONTEXT = "/confluence"
REST = "/rest/api"
_DENIED = 403  # DC answers 403 "does not have necessary permission" (REST reference)


class _Adder(Protocol):  # the shape of `add` above, for the type checker
    def __call__(self, method: str, path: str, handler: Handler, family: str | None, message: str = "") -> None: ...


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in text.split("-")[0].split(".")[:2] if n.isdigit())


def datacenter_flavor(context: str = DEFAULT_CONTEXT) -> Flavor:
    """A Data Center site served under `context` ("" for a site at the root)."""
    context = context.rstrip("/")

    def build(state: SiteState, spec: SiteSpec) -> Router:
        return build_datacenter_router(state, spec, context)

    return Flavor("datacenter", build, authenticate_datacenter, context_path=context, rate_style=STYLE_DATACENTER)


def build_datacenter_router(state: SiteState, spec: SiteSpec, context: str) -> Router:
    directory = Directory(state, spec)
    people = DcPeopleApi(state, directory, context, spec.paging)
    spaces = DcSpacesApi(state, spec, directory, context)
    router = Router()
    version = _version(spec.server_version)

    def add(method: str, path: str, handler: Handler, family: str | None, message: str = "") -> None:
        router.add(method, context + REST + path, handler, family=family, style=STYLE_V1,
                   denied_status=_DENIED, denied_message=PERMISSION_EXCEPTION + message)

    add("GET", "/user/current", people.current_user, families.FAMILY_CURRENT_USER, "Not permitted to use Confluence")
    add("GET", "/user/list", people.user_list, families.FAMILY_USERS_SEARCH, "User is not permitted to view users")
    add("GET", "/user", people.user, families.FAMILY_USERS_SEARCH, "User is not permitted to view users")
    add("GET", "/group", people.groups, families.FAMILY_GROUPS, "User is not permitted to view groups")
    add("GET", "/group/{groupName}/member", people.members, families.FAMILY_GROUPS,
        "User is not permitted to view groups")
    add("PUT", "/user/{username}/group/{groupName}", people.add_member, families.FAMILY_GROUP_WRITE,
        "User is not permitted to manage groups")
    add("DELETE", "/user/{username}/group/{groupName}", people.remove_member, families.FAMILY_GROUP_WRITE,
        "User is not permitted to manage groups")
    add("GET", "/space", spaces.spaces, families.FAMILY_SPACES, "User is not permitted to view spaces")
    add("GET", "/space/{spaceKey}", spaces.space, families.FAMILY_SPACES, "User is not permitted to view spaces")
    if version >= (9, 1):
        _add_permission_routes(add, spaces)
        add("GET", "/server-information", spaces.server_information, None)
    if version >= (9, 2):
        global_permissions = DcGlobalPermissionsApi(state, spec, directory)
        add("GET", "/permissions", global_permissions.all, None)
        add("GET", "/permissions/anonymous", global_permissions.anonymous, None)
        add("GET", "/permissions/unlicensed", global_permissions.unlicensed, None)
    if version >= (9, 3):
        add("GET", "/admin/users/list/active", DcAdminUsersApi(state, spec, directory, context).active, None)
    _add_content_routes(add, content_api(state, spec, directory, context))
    remote = DcRemoteApi(state, spec, directory, context)
    router.add("POST", context + RPC_PATH, remote.handle, family=None, style=STYLE_V1, denied_status=_DENIED)
    return router


def _add_permission_routes(add: _Adder, spaces: DcSpacesApi) -> None:
    message = "User does not have necessary permission"
    add("GET", "/space/{spaceKey}/permissions", spaces.permissions, families.FAMILY_SPACE_PERMISSIONS, message)
    add("GET", "/space/{spaceKey}/permissions/anonymous", spaces.anonymous_permissions,
        families.FAMILY_SPACE_PERMISSIONS, message)
    for action, handler in (("grant", spaces.grant), ("revoke", spaces.revoke)):
        add("PUT", f"/space/{{spaceKey}}/permissions/{{kind}}/{{id}}/{action}", handler,
            families.FAMILY_SPACE_PERMISSION_WRITE, message)


def content_api(state: SiteState, spec: SiteSpec, directory: Directory, context: str) -> ContentApi:
    """The content endpoints as Data Center serves them: users by userKey, groups by name (DC groups
    have no id); restriction writes are served too, though the connector does not use them here."""

    def user_json(account_id: str) -> dict[str, Any]:
        entry = directory.by_account.get(account_id)
        if entry is None:
            return {"type": "known", "userKey": user_key_of(account_id)}
        return {"type": "known", "userKey": entry.user_key, "username": entry.username,
                "displayName": state.users[account_id].display_name}

    def group_json(group_id: str) -> dict[str, Any]:
        return {"type": "group", "name": state.groups[group_id].name}

    return ContentApi(state, spec, user_json=user_json, group_json=group_json, context=context)


def _add_content_routes(add: _Adder, content: ContentApi) -> None:
    message = "User not permitted to view the content"
    add("GET", "/content", content.list_content, families.FAMILY_CONTENT, message)
    add("GET", "/content/{id}/restriction/byOperation/{operationKey}", content.restriction_by_operation,
        families.FAMILY_CONTENT, message)
