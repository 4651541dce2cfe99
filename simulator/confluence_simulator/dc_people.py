"""Data Center handlers for people: current user, user list, users by key, groups, members, and
group-membership writes. Facts each one rests on: DC_FACTS.md §Users and §Groups.

Paths arrive percent-encoded (a group name may hold spaces or `/`), so path parameters are
decoded here. Groups are addressed by name: Data Center groups have no id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from confluence_simulator import dc_json
from confluence_simulator import paging_spec as listings
from confluence_simulator.dc_directory import DcUser, Directory
from confluence_simulator.errors import NOT_FOUND_EXCEPTION, ApiError
from confluence_simulator.pagination import V1Window, v1_page, v1_window
from confluence_simulator.paging_spec import PagingSpec
from confluence_simulator.routing import Request, Response, json_response
from confluence_simulator.state import Group, SiteState
from confluence_simulator.write_checks import require_xsrf_token

USERS_DEFAULT_LIMIT = 100  # documented default of /rest/api/user/list
GROUPS_DEFAULT_LIMIT = 25  # the documented example pages of /rest/api/group are 25 long
MAX_LIMIT = 200  # "may be restricted by fixed system limits": the cap is assumed


class DcPeopleApi:
    def __init__(self, state: SiteState, directory: Directory, context: str, paging: PagingSpec) -> None:
        self.state = state
        self.directory = directory
        self.context = context
        self.paging = paging

    # --- users -------------------------------------------------------------------------------
    def current_user(self, req: Request, _params: dict[str, str]) -> Response:
        if req.anonymous:
            return json_response(200, dc_json.anonymous())
        entry = self.directory.by_account[self.state.admin_account_id]
        return json_response(200, self._user(req, entry, status=False))

    def user_list(self, req: Request, _params: dict[str, str]) -> Response:
        window = v1_window(req, USERS_DEFAULT_LIMIT, MAX_LIMIT, paging=self.paging)
        everyone = self.directory.listed()
        chosen = everyone[window.start : window.end]
        status = "status" in req.params("expand")
        results = [self._user(req, entry, status=status) for entry in chosen]
        return self._page(req, results, window, window.start + len(chosen) < len(everyone), listings.DC_USERS)

    def user(self, req: Request, _params: dict[str, str]) -> Response:
        key, username = req.param("key"), req.param("username")
        entry = self.directory.by_key.get(key or "") or self.directory.by_username.get(username or "")
        if entry is None:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"No user found with key: {key or username}")
        return json_response(200, self._user(req, entry, status="status" in req.params("expand")))

    # --- groups ------------------------------------------------------------------------------
    def groups(self, req: Request, _params: dict[str, str]) -> Response:
        window = v1_window(req, GROUPS_DEFAULT_LIMIT, MAX_LIMIT, paging=self.paging)
        base = req.base_url + self.context
        with self.state.lock:
            ids = self.state.group_order[window.start : window.end]
            results = [dc_json.group(self.state.groups[g], base) for g in ids]
            more = window.start + len(ids) < len(self.state.group_order)
        return self._page(req, results, window, more, listings.DC_GROUPS)

    def members(self, req: Request, params: dict[str, str]) -> Response:
        group = self._group(params["groupName"])
        window = v1_window(req, GROUPS_DEFAULT_LIMIT, MAX_LIMIT, paging=self.paging)
        entries = [e for e in (self.directory.by_account.get(a) for a in self.state.group_members(group.id)) if e]
        chosen = entries[window.start : window.end]
        status = "status" in req.params("expand")
        results = [self._user(req, entry, status=status) for entry in chosen]
        more = window.start + len(chosen) < len(entries)
        return self._page(req, results, window, more, listings.DC_GROUP_MEMBERS)

    def add_member(self, req: Request, params: dict[str, str]) -> Response:
        """PUT /user/{username}/group/{groupName}: idempotent, 204 (documented)."""
        require_xsrf_token(req)
        entry, group = self._membership(params)
        self.state.add_group_member(group.id, entry.account_id)
        return Response(204)

    def remove_member(self, req: Request, params: dict[str, str]) -> Response:
        """DELETE /user/{username}/group/{groupName}: idempotent, 204 (documented)."""
        require_xsrf_token(req)
        entry, group = self._membership(params)
        self.state.remove_group_member(group.id, entry.account_id)
        return Response(204)

    # --- helpers -----------------------------------------------------------------------------
    def _user(self, req: Request, entry: DcUser, *, status: bool) -> dict[str, Any]:
        account = self.state.users[entry.account_id]
        return dc_json.user(entry, account, req.base_url + self.context, status=status)

    def _group(self, raw_name: str) -> Group:
        name = unquote(raw_name)
        group = self.state.groups_by_name.get(name)
        if group is None:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"Group not found: {name}")
        return group

    def _membership(self, params: dict[str, str]) -> tuple[DcUser, Group]:
        username = unquote(params["username"])
        entry = self.directory.by_username.get(username)
        if entry is None:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"User not found: {username}")
        return entry, self._group(params["groupName"])

    def _page(self, req: Request, results: list[Any], window: V1Window, more: bool, listing: str) -> Response:
        body = v1_page(req, results, window, more, listing=listing, paging=self.paging, context=self.context)
        return json_response(200, body)
