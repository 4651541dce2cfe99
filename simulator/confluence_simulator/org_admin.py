"""The Atlassian organization admin API (`https://api.atlassian.com/admin/...`), as a flavour of
its own: run it as a second `SimulatedSite` over the Confluence site's state, with its own rate
limit, so its requests are counted apart (`org_admin_site`). FACTS.md §Organization admin API
has what is documented and what is guessed.

- `GET /admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates` (documented):
  `{"data": {"product_access": [{"id", "key", "last_active"}], "added_to_org"}, "links": {}}`;
  404 for an account the organization does not know.
- `POST /admin/v2/orgs/{orgId}/directories/-/users/search` (likely; `SiteAdminSpec.bulk_search`):
  body `{"limit", "cursor", "expand": ["productAccess"]}`, answer `{"data": [{"accountId",
  "name", "email", "productAccess": [{"key", "id", "lastActiveTimestamp"}]}], "links": {"next"}}`,
  or (`bulk_shape` "date") entries `{"key", "last_active"}` and `links.next` a URL with `?cursor=`.
  Without it the route answers `bulk_absent_status` (404, 405 or 403).
- Product roles given to groups (likely/uncertain; `SiteAdminSpec.role_shape`): `org_roles.py`;
  given to accounts directly (`user_role_shape`, `user_roles_status`): `org_user_roles.py`.
- Auth: `Authorization: Bearer <org_api_key>`; a missing or wrong key is 401. Another org id is 404.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

from confluence_simulator.activity import OTHER_SITE_CLOUD_ID, activity_of, iso_timestamp
from confluence_simulator.errors import STYLE_V2, ApiError
from confluence_simulator.flavor import Flavor
from confluence_simulator.org_roles import GROUP_ROLES, GROUPS, OrgRolesApi
from confluence_simulator.org_user_roles import USER_ROLES, OrgUserRolesApi
from confluence_simulator.routing import Request, Response, Router, json_response
from confluence_simulator.server import SimulatedSite
from confluence_simulator.site_admin_spec import BULK_DATE, BULK_TIMESTAMP
from confluence_simulator.site_global import cloud_id_of
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import SiteState, User

BULK_SEARCH = "/admin/v2/orgs/{orgId}/directories/{directoryId}/users/search"
PER_ACCOUNT = "/admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates"
MAX_BULK_LIMIT = 100


def site_ari(cloud_id: str) -> str:
    return f"ari:cloud:confluence::site/{cloud_id}"


def org_members(state: SiteState, spec: SiteSpec) -> list[User]:
    """The organization's directory, in a stable order (the bulk search's)."""
    with state.lock:
        users = [state.users[a] for a in state.search_all]
    return [u for u in users if activity_of(spec, u).in_org]


class OrgAdminApi:
    def __init__(self, state: SiteState, spec: SiteSpec) -> None:
        self.state = state
        self.spec = spec
        self.cloud_id = cloud_id_of(spec)

    def _org(self, params: dict[str, str]) -> None:
        if params["orgId"] != self.spec.site_admin.org_id:
            raise ApiError(404, "Organization not found")

    def last_active_dates(self, _req: Request, params: dict[str, str]) -> Response:
        self._org(params)
        user = self.state.users.get(unquote(params["accountId"]))
        activity = activity_of(self.spec, user) if user is not None else None
        if user is None or activity is None or not activity.in_org:
            raise ApiError(404, "User not found")
        entries = []
        if activity.day is not None:
            entries.append({"id": site_ari(self.cloud_id), "key": "confluence", "last_active": activity.day.isoformat()})
            entries.append({"id": site_ari(OTHER_SITE_CLOUD_ID), "key": "confluence", "last_active": "2026-12-01"})
        entries.append({"id": "ari:cloud:jira::site/" + self.cloud_id, "key": "jira-software", "last_active": "2026-12-02"})
        return json_response(200, {"data": {"product_access": entries, "added_to_org": "2024-01-15"}, "links": {}})

    def bulk_search(self, req: Request, params: dict[str, str]) -> Response:
        admin = self.spec.site_admin
        if not admin.bulk_search:
            raise ApiError(admin.bulk_absent_status, "Not Found" if admin.bulk_absent_status == 404 else "Not allowed")
        self._org(params)
        body = req.json() if req.body else {}
        limit = min(int(body.get("limit") or admin.bulk_page_size), admin.bulk_page_size, MAX_BULK_LIMIT)
        start = _decode_cursor(body.get("cursor"))
        members = org_members(self.state, self.spec)
        page = members[start:start + limit]
        expand = "productAccess" in (body.get("expand") or [])
        data = [self._user(u, expand) for u in page]
        links: dict[str, Any] = {}
        if start + limit < len(members):
            cursor = _encode_cursor(start + limit)
            links["next"] = cursor if admin.bulk_shape == BULK_TIMESTAMP else f"{req.base_url}{req.path}?cursor={cursor}"
        return json_response(200, {"data": data, "links": links})

    def _user(self, user: User, expand: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"accountId": user.account_id, "name": user.display_name, "email": user.email,
                               "accountStatus": user.account_status}
        if expand:
            activity = activity_of(self.spec, user)
            access = [{"key": "jira-software", "id": "ari:cloud:jira::site/" + self.cloud_id,
                       "lastActiveTimestamp": "2026-12-02T08:00:00.000Z"}]
            if activity.at is not None and self.spec.site_admin.bulk_shape == BULK_DATE:
                # Entries without a site id: only this site's Confluence is listed.
                access.append({"key": "confluence", "last_active": activity.at.date().isoformat()})
            elif activity.at is not None:
                access.append({"key": "confluence", "id": site_ari(self.cloud_id),
                               "lastActiveTimestamp": iso_timestamp(activity.at)})
                access.append({"key": "confluence", "id": site_ari(OTHER_SITE_CLOUD_ID),
                               "lastActiveTimestamp": "2026-12-01T09:00:00.000Z"})
            out["productAccess"] = access
        return out


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(value: Any) -> int:
    if not value:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(str(value).encode()).decode().partition(":")
        if kind == "offset" and number.isdigit():
            return int(number)
    except (ValueError, UnicodeDecodeError):
        pass
    raise ApiError(400, "Invalid cursor")


def authenticate_org_admin(spec: SiteSpec, req: Request) -> None:
    scheme, _, key = (req.header("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(key.strip(), spec.site_admin.org_api_key):
        raise ApiError(401, "Unauthorized: the API key is missing, wrong or expired")


def build_org_admin_router(state: SiteState, spec: SiteSpec) -> Router:
    api = OrgAdminApi(state, spec)
    router = Router(default_style=lambda _path: STYLE_V2)
    router.add("GET", PER_ACCOUNT, api.last_active_dates, family=None, style=STYLE_V2, denied_status=403)
    router.add("POST", BULK_SEARCH, api.bulk_search, family=None, style=STYLE_V2, denied_status=403)
    roles = OrgRolesApi(state, spec)
    router.add("GET", GROUPS, roles.groups, family=None, style=STYLE_V2, denied_status=403)
    router.add("GET", GROUP_ROLES, roles.group_roles, family=None, style=STYLE_V2, denied_status=403)
    router.add("GET", USER_ROLES, OrgUserRolesApi(state, spec).user_roles, family=None, style=STYLE_V2,
               denied_status=403)
    return router


ORG_ADMIN = Flavor("org-admin", build_org_admin_router, authenticate_org_admin)


def org_admin_spec(spec: SiteSpec) -> SiteSpec:
    """The admin API's own transport: its rate limit, no faults of the Confluence site."""
    return replace(
        spec,
        rate_limit_rps=spec.site_admin.admin_rate_limit_rps,
        rate_limit_warns=spec.site_admin.admin_rate_limit_warns,
        faults=type(spec.faults)(),
    )


def org_admin_site(site: SimulatedSite) -> SimulatedSite:
    """The organization admin API of `site`, over the same state, counted apart; not started."""
    return SimulatedSite(org_admin_spec(site.spec), flavor=ORG_ADMIN, state=site.state)
