"""Cloud REST v1 handlers (`/wiki/rest/api/...`): current user, user search, groups and members,
group membership writes, space permission writes. Facts each one rests on: FACTS.md §v1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from confluence_simulator import cloud_json
from confluence_simulator import paging_spec as listings
from confluence_simulator.errors import (
    BAD_REQUEST_EXCEPTION,
    NOT_FOUND_EXCEPTION,
    ApiError,
)
from confluence_simulator.pagination import CONTEXT_PATH, V1Window, v1_page, v1_window
from confluence_simulator.routing import Request, Response, json_response
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import (
    ANONYMOUS,
    PRINCIPAL_ACCESS_CLASS,
    PRINCIPAL_GROUP,
    PRINCIPAL_USER,
    SiteState,
    User,
)
from confluence_simulator.write_checks import require_json, require_xsrf_token

GROUPS_DEFAULT_LIMIT = 200  # documented default of GET /group; the same value is used as its max
USER_GROUPS_DEFAULT_LIMIT = 200  # user/memberof: default and clamp are assumed (see FACTS.md)
MEMBERS_MAX_LIMIT = 200  # membersByGroupId: documented default and hard maximum (400 above)
SEARCH_DEFAULT_LIMIT = 25

# Operation key -> targets the v1 add-permission endpoint accepts (documented list).
VALID_WRITE_PAIRS: dict[str, frozenset[str]] = {
    "create": frozenset({"page", "blogpost", "comment", "attachment"}),
    "read": frozenset({"space"}),
    "delete": frozenset({"page", "blogpost", "comment", "attachment", "space"}),
    "export": frozenset({"space"}),
    "administer": frozenset({"space"}),
    "archive": frozenset({"page"}),
    "restrict_content": frozenset({"space"}),
}

_CQL_ALL = re.compile(r'^\s*type\s*=\s*"?user"?\s*$', re.IGNORECASE)
_CQL_ONE = re.compile(
    r'^\s*(?:type\s*=\s*"?user"?\s+and\s+)?user(?:\.accountid)?\s*=\s*"([^"]+)"\s*$', re.IGNORECASE
)
_CQL_IN = re.compile(
    r'^\s*(?:type\s*=\s*"?user"?\s+and\s+)?user(?:\.accountid)?\s+in\s*\(([^)]*)\)\s*$', re.IGNORECASE
)
_SITE_PERMISSION_FILTERS = ("none", "externalCollaborator", "all")


class CloudV1Api:
    def __init__(self, state: SiteState, spec: SiteSpec) -> None:
        self.state = state
        self.spec = spec

    # --- users -------------------------------------------------------------------------------

    def current_user(self, req: Request, _params: dict[str, str]) -> Response:
        user = self.state.users[self.state.admin_account_id]
        return json_response(200, self._user_renderer(req)(user))

    def get_user(self, req: Request, _params: dict[str, str]) -> Response:
        """v1 "Get user": any account the site holds, listed or not; deleted or unknown ids -> 404."""
        account_id = _required(req, "accountId")
        user = self.state.users.get(account_id)
        if user is None:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"No user found with accountId: {account_id}")
        return json_response(200, self._user_renderer(req)(user))

    def search_users(self, req: Request, _params: dict[str, str]) -> Response:
        cql = req.param("cql")
        if not cql:
            raise ApiError(400, BAD_REQUEST_EXCEPTION + "The cql parameter is required")
        wanted = _parse_user_cql(cql)
        kind = req.param("sitePermissionTypeFilter") or "none"
        if kind not in _SITE_PERMISSION_FILTERS:
            raise ApiError(400, BAD_REQUEST_EXCEPTION + f"Invalid sitePermissionTypeFilter: {kind}")
        window = v1_window(req, SEARCH_DEFAULT_LIMIT, self.spec.search_max_limit, paging=self.spec.paging)
        start = window.start
        state = self.state
        with state.lock:
            pool = {
                "none": state.search_licensed,
                "externalCollaborator": state.search_guests,
                "all": state.search_all,
            }[kind]
            if wanted is not None:
                pool = [a for a in wanted if a in state.users and _listed(state.users[a], kind)]
            # The search index stops at a fixed offset (10,000 on Cloud): nothing past it.
            reachable = min(len(pool), self.spec.search_cap)
            end = min(window.end, reachable)
            page = [state.users[a] for a in pool[start:end]] if start < reachable else []
            has_more = start < reachable and end < reachable
        render = self._user_renderer(req)
        results = [cloud_json.v1_user_search_result(u, render(u)) for u in page]
        # `totalSize` is documented as the total, but Cloud reports the page size: kept so.
        extra = {"totalSize": len(results), "cqlQuery": cql, "searchDuration": 7}
        return self._page(req, results, window, has_more, listings.SEARCH_USER, extra, total=reachable)

    def user_groups(self, req: Request, _params: dict[str, str]) -> Response:
        account_id = req.param("accountId")
        if not account_id:
            raise ApiError(400, BAD_REQUEST_EXCEPTION + "The accountId parameter is required")
        if account_id not in self.state.users:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"No user found with accountId: {account_id}")
        window = v1_window(req, USER_GROUPS_DEFAULT_LIMIT, USER_GROUPS_DEFAULT_LIMIT, paging=self.spec.paging)
        ids = self.state.groups_of(account_id)
        base = req.base_url + CONTEXT_PATH
        with self.state.lock:
            results = [cloud_json.v1_group(self.state.groups[g], base) for g in ids[window.start : window.end]]
        has_more = window.start + len(results) < len(ids)
        return self._page(req, results, window, has_more, listings.USER_MEMBEROF)

    # --- groups ------------------------------------------------------------------------------

    def list_groups(self, req: Request, _params: dict[str, str]) -> Response:
        access = req.param("accessType")
        if access not in (None, "", "user", "admin", "site-admin"):
            raise ApiError(400, BAD_REQUEST_EXCEPTION + f"Invalid accessType: {access}")
        window = v1_window(req, GROUPS_DEFAULT_LIMIT, GROUPS_DEFAULT_LIMIT, paging=self.spec.paging)
        base = req.base_url + CONTEXT_PATH
        with self.state.lock:
            ids = self.state.group_order[window.start : window.end]
            results = [cloud_json.v1_group(self.state.groups[g], base) for g in ids]
            has_more = window.start + len(ids) < len(self.state.group_order)
        return self._page(req, results, window, has_more, listings.GROUP)

    def group_by_id(self, req: Request, _params: dict[str, str]) -> Response:
        group_id = _required(req, "id")
        group = self.state.groups.get(group_id)
        if group is None:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"No group found with id: {group_id}")
        return json_response(200, cloud_json.v1_group(group, req.base_url + CONTEXT_PATH))

    def group_members(self, req: Request, params: dict[str, str]) -> Response:
        group = self.state.groups.get(params["groupId"])
        window = v1_window(req, MEMBERS_MAX_LIMIT, MEMBERS_MAX_LIMIT, paging=self.spec.paging, reject_above_max=True)
        if group is None:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"No group found with id: {params['groupId']}")
        with self.state.lock:
            ids = group.members[window.start : window.end]
            users = [self.state.users[a] for a in ids]
            total = len(group.members)
        render = self._user_renderer(req)
        results = [render(u) for u in users]
        extra: dict[str, Any] = {}
        if (req.param("shouldReturnTotalSize") or "").lower() == "true":
            extra["totalSize"] = total
        has_more = window.start + len(ids) < total
        return self._page(req, results, window, has_more, listings.GROUP_MEMBERS, extra, total=total)

    def add_group_member(self, req: Request, _params: dict[str, str]) -> Response:
        require_xsrf_token(req)
        require_json(req)
        group_id = req.param("groupId")
        body = req.json()
        account_id = body.get("accountId") if isinstance(body, dict) else None
        if not group_id or not isinstance(account_id, str) or not account_id:
            raise ApiError(400, BAD_REQUEST_EXCEPTION + "groupId and accountId are required")
        if group_id not in self.state.groups:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"No group found with id: {group_id}")
        if account_id not in self.state.users:
            raise ApiError(400, BAD_REQUEST_EXCEPTION + f"No user found with accountId: {account_id}")
        # Adding an existing member answers 201 again (idempotent); see FACTS.md (unverified).
        self.state.add_group_member(group_id, account_id)
        return Response(201)

    def remove_group_member(self, req: Request, _params: dict[str, str]) -> Response:
        require_xsrf_token(req)
        group_id = req.param("groupId")
        account_id = req.param("accountId")
        if not group_id or not account_id:
            raise ApiError(400, BAD_REQUEST_EXCEPTION + "groupId and accountId are required")
        if group_id not in self.state.groups:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"No group found with id: {group_id}")
        if account_id not in self.state.users:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"No user found with accountId: {account_id}")
        # Documented: "A 204 is returned if the user is not part of the group."
        self.state.remove_group_member(group_id, account_id)
        return Response(204)

    # --- space permission writes ---------------------------------------------------------------

    def add_space_permission(self, req: Request, params: dict[str, str]) -> Response:
        require_xsrf_token(req)
        require_json(req)
        space = self.state.visible_space_by_key(params["spaceKey"])
        if space is None:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"No space with key : {params['spaceKey']}")
        body = req.json()
        subject = body.get("subject") if isinstance(body, dict) else None
        operation = body.get("operation") if isinstance(body, dict) else None
        if not isinstance(subject, dict) or not isinstance(operation, dict):
            raise ApiError(400, BAD_REQUEST_EXCEPTION + "subject and operation are required")
        key, target = operation.get("key"), operation.get("target")
        if not isinstance(key, str) or not isinstance(target, str) or target not in VALID_WRITE_PAIRS.get(key, ()):
            raise ApiError(
                400,
                BAD_REQUEST_EXCEPTION
                + f"Operation not supported for target OperationCheckResult{{operation={key}, targetType={target}}}",
            )
        principal = self._resolve_subject(subject)
        state = self.state
        with state.lock:
            if state.find_permission(space.id, *principal, key, target) is not None:
                raise ApiError(400, BAD_REQUEST_EXCEPTION + "Permission already exists for the given user or group.")
            is_read = (key, target) == ("read", "space")
            if not is_read and state.find_permission(space.id, *principal, "read", "space") is None:
                raise ApiError(
                    400, BAD_REQUEST_EXCEPTION + "'read space' permission doesn't exist for the given user or group."
                )
            perm = state.add_space_permission(space.id, principal[0], principal[1], key, target)
        return json_response(200, cloud_json.v1_space_permission(perm, space, req.base_url + CONTEXT_PATH))

    def remove_space_permission(self, req: Request, params: dict[str, str]) -> Response:
        require_xsrf_token(req)
        space = self.state.visible_space_by_key(params["spaceKey"])
        if space is None:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"No space with key : {params['spaceKey']}")
        try:
            perm_id = int(params["id"])
        except ValueError as exc:
            raise ApiError(400, BAD_REQUEST_EXCEPTION + f"Invalid permission id: {params['id']}") from exc
        state = self.state
        with state.lock:
            doomed = state.would_remove(space.id, perm_id)
            if not doomed:
                raise ApiError(404, NOT_FOUND_EXCEPTION + f"No permission with id {perm_id} in space {space.key}")
            admins_left = state.admin_permission_count(space.id) - sum(
                1 for p in doomed if (p.key, p.target) == ("administer", "space")
            )
            if admins_left <= 0:
                raise ApiError(
                    400, BAD_REQUEST_EXCEPTION + "All of the admin permissions cannot be removed from a space."
                )
            state.remove_space_permission(space.id, perm_id)
        return Response(204)

    # --- helpers -------------------------------------------------------------------------------

    def _page(
        self,
        req: Request,
        results: list[Any],
        window: V1Window,
        has_more: bool,
        listing: str,
        extra: dict[str, Any] | None = None,
        *,
        total: int | None = None,
    ) -> Response:
        body = v1_page(req, results, window, has_more, extra, listing=listing, paging=self.spec.paging, total=total)
        return json_response(200, body)

    def _user_renderer(self, req: Request) -> Callable[[User], dict[str, Any]]:
        """v1 user JSON as this request's `expand` asks (parsed once per page, not per user)."""
        expand = set(req.params("expand"))
        base = req.base_url + CONTEXT_PATH
        operations = "operations" in expand
        expand_space = "personalSpace" in expand
        admin = self.state.admin_account_id

        def render(user: User) -> dict[str, Any]:
            personal = None
            if expand_space and user.personal_space_id is not None:
                personal = self.state.visible_space(user.personal_space_id)
            return cloud_json.v1_user(
                user,
                base,
                operations=operations,
                personal_space=personal,
                expand_space=expand_space,
                is_admin=user.account_id == admin and self.spec.account_is_admin,
            )

        return render

    def _resolve_subject(self, subject: dict[str, Any]) -> tuple[str, str]:
        kind, identifier = subject.get("type"), subject.get("identifier")
        if not isinstance(identifier, str) or not identifier:
            raise ApiError(400, BAD_REQUEST_EXCEPTION + "subject.identifier is required")
        if kind == "user":
            if identifier == "anonymous":
                return (PRINCIPAL_ACCESS_CLASS, ANONYMOUS)
            user = self.state.users.get(identifier)
            if user is None or user.account_type == "customer":
                raise ApiError(400, BAD_REQUEST_EXCEPTION + f"No user found with accountId: {identifier}")
            return (PRINCIPAL_USER, identifier)
        if kind == "group":
            # Documented: a group is identified by its id, or (being deprecated) by its name.
            group = self.state.groups.get(identifier) or self.state.groups_by_name.get(identifier)
            if group is None:
                raise ApiError(400, BAD_REQUEST_EXCEPTION + "No group found with the given groupName or groupId")
            return (PRINCIPAL_GROUP, group.id)
        raise ApiError(400, BAD_REQUEST_EXCEPTION + f"Invalid subject type: {kind}")


def _listed(user: User, kind: str) -> bool:
    """Whether a sitePermissionTypeFilter value lists this account (mirrors SiteState.add_user)."""
    if kind == "all":
        return True
    if user.account_type == "customer":
        return False
    return user.external_collaborator == (kind == "externalCollaborator")


def _parse_user_cql(cql: str) -> list[str] | None:
    """None for "all users" (type=user), else the account ids the query names; 400 otherwise."""
    if _CQL_ALL.match(cql):
        return None
    one = _CQL_ONE.match(cql)
    if one:
        return [one.group(1)]
    many = _CQL_IN.match(cql)
    if many:
        return [part.strip().strip('"') for part in many.group(1).split(",") if part.strip().strip('"')]
    raise ApiError(400, BAD_REQUEST_EXCEPTION + f"Could not parse cql : {cql}")


def _required(req: Request, name: str) -> str:
    """A query parameter the endpoint cannot do without (400 when absent, as v1 answers)."""
    value = req.param(name)
    if not value:
        raise ApiError(400, BAD_REQUEST_EXCEPTION + f"The {name} parameter is required")
    return value
