"""The site's identity and global permissions, as the simulated site holds them (issue 20).

- `cloud_id_of`: the Cloud site's cloudId (served by `/_edge/tenant_info`), from the spec.
- `global_grants`: who holds which global permission, derived from the generated groups and the
  calling admin so that tests can compute the expected `site` grants from the state:
  `confluence-users` may use the site and create spaces and personal spaces, `confluence-admins`
  may use and administer Confluence, `site-admins` administer the system, and the calling admin
  holds system administration directly. Anonymous / unlicensed use follow the spec switches.
- `DcGlobalPermissionsApi`: Data Center's `/rest/api/permissions` (+ `/anonymous`,
  `/unlicensed`), in each subject shape of `SiteAdminSpec.dc_subject_shape` (DC_FACTS.md).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from confluence_simulator.dc_directory import Directory
from confluence_simulator.errors import ApiError
from confluence_simulator.routing import Request, Response, json_response
from confluence_simulator.site_admin_spec import CLASSES_INLINE, SUBJECT_FLAT, SUBJECT_NESTED
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import SiteState

TENANT_INFO = "/_edge/tenant_info"
USER, GROUP, ANONYMOUS, UNLICENSED = "user", "group", "anonymous", "unlicensed"
USE_APPLICATION = ("use", "application")
ADMINISTER_APPLICATION = ("administer", "application")
ADMINISTER_SYSTEM = ("administer", "system")
CREATE_SPACE = ("create", "space")
CREATE_PERSONAL_SPACE = ("create", "personal_space")

_BY_GROUP = {
    "confluence-users": (USE_APPLICATION, CREATE_SPACE, CREATE_PERSONAL_SPACE),
    "confluence-admins": (USE_APPLICATION, ADMINISTER_APPLICATION),
    "site-admins": (ADMINISTER_SYSTEM,),
}
_DENIED = ("com.atlassian.confluence.api.service.exceptions.PermissionException: "
           "User does not have necessary permission")


@dataclass(frozen=True)
class GlobalGrant:
    subject_type: str  # user | group | anonymous | unlicensed
    subject_id: str  # account id (user), group name (group), the type itself otherwise
    operation: str
    target: str


def cloud_id_of(spec: SiteSpec) -> str:
    if spec.site_admin.cloud_id:
        return spec.site_admin.cloud_id
    digest = hashlib.sha256(f"cloud-id:{spec.seed}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def global_grants(state: SiteState, spec: SiteSpec) -> list[GlobalGrant]:
    out: list[GlobalGrant] = []
    with state.lock:
        for name, pairs in _BY_GROUP.items():
            if name in state.groups_by_name:
                out.extend(GlobalGrant(GROUP, name, op, target) for op, target in pairs)
        if state.admin_account_id:
            out.append(GlobalGrant(USER, state.admin_account_id, *ADMINISTER_SYSTEM))
    if spec.site_admin.anonymous_use:
        out.append(GlobalGrant(ANONYMOUS, ANONYMOUS, *USE_APPLICATION))
    if spec.site_admin.unlicensed_use:
        out.append(GlobalGrant(UNLICENSED, UNLICENSED, *USE_APPLICATION))
    return out


def tenant_info(spec: SiteSpec) -> Any:
    """`GET /_edge/tenant_info` of a Cloud site (the cloudId article shows only this field)."""

    def handle(_req: Request, _params: dict[str, str]) -> Response:
        return json_response(200, {"cloudId": cloud_id_of(spec)})

    return handle


class DcGlobalPermissionsApi:
    def __init__(self, state: SiteState, spec: SiteSpec, directory: Directory) -> None:
        self.state = state
        self.spec = spec
        self.directory = directory

    def all(self, _req: Request, _params: dict[str, str]) -> Response:
        inline = self.spec.site_admin.dc_classes == CLASSES_INLINE
        chosen = [g for g in self._grants() if inline or g.subject_type in (USER, GROUP)]
        return self._answer(chosen)

    def anonymous(self, _req: Request, _params: dict[str, str]) -> Response:
        return self._answer([g for g in self._grants() if g.subject_type == ANONYMOUS])

    def unlicensed(self, _req: Request, _params: dict[str, str]) -> Response:
        return self._answer([g for g in self._grants() if g.subject_type == UNLICENSED])

    def _grants(self) -> list[GlobalGrant]:
        if not self.spec.account_is_admin:
            raise ApiError(403, _DENIED)
        return global_grants(self.state, self.spec)

    def _answer(self, grants: list[GlobalGrant]) -> Response:
        items = [self._item(g) for g in grants]
        return json_response(200, {"results": items, "size": len(items)} if self.spec.site_admin.dc_wrapped else items)

    def _item(self, grant: GlobalGrant) -> dict[str, Any]:
        return {"operation": {"targetType": grant.target, "operationKey": grant.operation},
                "subject": self._subject(grant)}

    def _subject(self, grant: GlobalGrant) -> dict[str, Any]:
        shape = self.spec.site_admin.dc_subject_shape
        if grant.subject_type == USER:
            user = self.directory.by_account[grant.subject_id]
            if shape == SUBJECT_FLAT:
                return {"type": USER, "userKey": user.user_key, "displayName": user.username}
            if shape == SUBJECT_NESTED:
                return {"type": USER, "user": {"userKey": user.user_key, "username": user.username}}
            return {"type": USER, "username": user.username}
        if grant.subject_type == GROUP:
            if shape == SUBJECT_NESTED:
                return {"type": GROUP, "group": {"name": grant.subject_id}}
            return {"type": GROUP, "name": grant.subject_id, "displayName": grant.subject_id}
        return {"type": grant.subject_type}
