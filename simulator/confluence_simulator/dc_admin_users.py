"""Data Center's admin user listing (9.3+): `GET /rest/api/admin/users/list/active?expand=lastLogin`.

Licensed users only (here: active human accounts), v1 paging (`start`, `limit`, `_links.next`),
`lastLogin` only with the expand and only for users who signed in. Its shape is not documented
(DC_FACTS.md §Admin user listing): `SiteAdminSpec.dc_last_login_shape` plays epoch milliseconds
(`epoch_ms`), an ISO timestamp (`iso`) or an object (`object`: `{"date": iso}`). Activity comes
from `activity.py`, so tests compute the expected instants from the state.
"""

from __future__ import annotations

from typing import Any

from confluence_simulator.activity import activity_of, iso_timestamp
from confluence_simulator.dc_directory import Directory
from confluence_simulator.errors import ApiError
from confluence_simulator.pagination import v1_window
from confluence_simulator.routing import Request, Response, json_response
from confluence_simulator.site_admin_spec import LAST_LOGIN_ISO, LAST_LOGIN_OBJECT
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import SiteState

DEFAULT_LIMIT = 100
MAX_LIMIT = 200
_DENIED = ("com.atlassian.confluence.api.service.exceptions.PermissionException: "
           "User does not have necessary permission")


class DcAdminUsersApi:
    def __init__(self, state: SiteState, spec: SiteSpec, directory: Directory, context: str) -> None:
        self.state = state
        self.spec = spec
        self.directory = directory
        self.context = context

    def active(self, req: Request, _params: dict[str, str]) -> Response:
        if not self.spec.account_is_admin:
            raise ApiError(403, _DENIED)
        window = v1_window(req, DEFAULT_LIMIT, MAX_LIMIT, paging=self.spec.paging)
        licensed = [e for e in self.directory.listed() if self.state.users[e.account_id].active]
        page = licensed[window.start:window.start + window.limit]
        expand = "lastLogin" in req.params("expand")
        results = [self._user(e.account_id, e.user_key, e.username, expand) for e in page]
        body: dict[str, Any] = {"results": results, "start": window.start, "limit": window.limit,
                                "size": len(results), "_links": {"base": req.base_url + self.context}}
        if window.start + window.limit < len(licensed):
            body["_links"]["next"] = (f"/rest/api/admin/users/list/active?expand=lastLogin"
                                      f"&start={window.start + window.limit}&limit={window.limit}")
        return json_response(200, body)

    def _user(self, account_id: str, user_key: str, username: str, expand: bool) -> dict[str, Any]:
        user = self.state.users[account_id]
        out: dict[str, Any] = {"type": "known", "userKey": user_key, "username": username,
                               "displayName": user.display_name}
        at = activity_of(self.spec, user).at
        if expand and at is not None:
            shape = self.spec.site_admin.dc_last_login_shape
            if shape == LAST_LOGIN_ISO:
                out["lastLogin"] = iso_timestamp(at)
            elif shape == LAST_LOGIN_OBJECT:
                out["lastLogin"] = {"date": iso_timestamp(at)}
            else:
                out["lastLogin"] = int(at.timestamp() * 1000)
        return out
