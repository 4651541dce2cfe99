"""Cloud REST v2 handlers (`/wiki/api/v2/...`): spaces, space permissions, space roles and role
assignments (RBAC), users-bulk. Facts each one rests on: FACTS.md §v2.

v2 answers "not found" rather than "forbidden" when the caller may not see something (documented
404 "calling user does not have permission to view ..."), so hidden spaces and denied families
both end in 404 here.
"""

from __future__ import annotations

import bisect
import threading
from typing import Any

from confluence_simulator import cloud_json
from confluence_simulator.errors import ApiError
from confluence_simulator.pagination import (
    decode_cursor,
    fingerprint,
    v2_limit,
    v2_page,
)
from confluence_simulator.routing import Request, Response, json_response
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import (
    ACCESS_CLASSES,
    ROLE_PRINCIPAL_ACCESS_CLASS,
    ROLE_PRINCIPAL_GROUP,
    ROLE_PRINCIPAL_USER,
    RoleAssignment,
    SiteState,
    Space,
)
from confluence_simulator.write_checks import MAX_V2_BODY_BYTES, require_json

SPACE_TYPES = ("global", "collaboration", "knowledge_base", "personal", "system", "onboarding", "xflow_sample_space")
SPACE_STATUSES = ("current", "archived")
ROLE_TYPES = ("SYSTEM", "CUSTOM")
PRINCIPAL_TYPES = (ROLE_PRINCIPAL_USER, ROLE_PRINCIPAL_GROUP, ROLE_PRINCIPAL_ACCESS_CLASS)
MAX_FILTER_VALUES = 250  # `ids` / `keys` on GET /spaces
MAX_BULK_IDS = 250  # users-bulk `accountIds` maxItems

_SPACE_FILTERS = ("ids", "keys", "type", "status", "labels", "sort")
_ASSIGNMENT_FILTERS = ("role-id", "role-type", "principal-id", "principal-type")
_ROLE_FILTERS = ("space-id", "role-type", "principal-id", "principal-type")


def _not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found or not visible")


class CloudV2Api:
    def __init__(self, state: SiteState, spec: SiteSpec) -> None:
        self.state = state
        self.spec = spec
        # Spaces never change after generation, so each (type, status) listing is computed once.
        self._space_lists: dict[tuple[str | None, str | None], list[int]] = {}
        self._cache_lock = threading.Lock()

    # --- spaces --------------------------------------------------------------------------------

    def list_spaces(self, req: Request, _params: dict[str, str]) -> Response:
        kind, status = req.param("type") or None, req.param("status") or None
        if kind is not None and kind not in SPACE_TYPES:
            raise ApiError(400, f"Invalid value for type: {kind}")
        if status is not None and status not in SPACE_STATUSES:
            raise ApiError(400, f"Invalid value for status: {status}")
        ids, keys = req.params("ids"), req.params("keys")
        if len(ids) > MAX_FILTER_VALUES or len(keys) > MAX_FILTER_VALUES:
            raise ApiError(400, f"At most {MAX_FILTER_VALUES} ids or keys may be given")
        limit = v2_limit(req, self.spec.paging.v2_page_cap)
        fp = fingerprint(req, _SPACE_FILTERS)
        after = decode_cursor(req, fp)

        if ids or keys:
            ordered = self._spaces_by_ids_and_keys(ids, keys, kind, status)
        else:
            ordered = self._space_list(kind, status)
        start = 0 if after is None else bisect.bisect_right(ordered, after)
        chosen = ordered[start : start + limit]
        more = start + limit < len(ordered)
        results = [cloud_json.v2_space(self.state.spaces[i]) for i in chosen]
        body, headers = v2_page(req, results, chosen[-1] if more and chosen else None, fp, limit)
        return json_response(200, body, headers)

    def get_space(self, req: Request, params: dict[str, str]) -> Response:
        space = self._space(params["id"])
        body = cloud_json.v2_space(space)
        body["_links"]["base"] = req.base_url + "/wiki"
        return json_response(200, body)

    def list_space_permissions(self, req: Request, params: dict[str, str]) -> Response:
        space = self._space(params["id"])
        limit = v2_limit(req, self.spec.paging.v2_page_cap)
        fp = fingerprint(req, (), scope=f"perm:{space.id}")
        after = decode_cursor(req, fp)
        with self.state.lock:
            page, more = self.state.permissions[space.id].by_id.page_after(after, limit)
        results = [cloud_json.v2_space_permission(p) for _, p in page]
        body, headers = v2_page(req, results, page[-1][0] if more else None, fp, limit)
        return json_response(200, body, headers)

    # --- RBAC ----------------------------------------------------------------------------------

    def space_role_mode(self, _req: Request, _params: dict[str, str]) -> Response:
        return json_response(200, {"mode": "ROLES" if self.spec.rbac_enabled else "PRE_ROLES"})

    def list_space_roles(self, req: Request, _params: dict[str, str]) -> Response:
        self._require_rbac()
        role_type = req.param("role-type") or None
        if role_type is not None and role_type not in ROLE_TYPES:
            raise ApiError(400, f"Invalid value for role-type: {role_type}")
        principal = self._principal_filter(req)
        space_id = req.param("space-id") or None
        space = self._space(space_id) if space_id is not None else None
        limit = v2_limit(req, self.spec.paging.v2_page_cap)
        fp = fingerprint(req, _ROLE_FILTERS)
        after = decode_cursor(req, fp)

        with self.state.lock:
            held: set[str] | None = None
            if principal is not None:
                if space is not None:
                    current = self.state.role_assignments[space.id].by_principal.get(principal)
                    held = {current.role_id} if current else set()
                else:
                    held = set(self.state.principal_roles.get(principal, {}))
            # Roles are few (4 defaults + up to 10 custom): position in the list is the key.
            matching = [
                (pos, role)
                for pos, role in enumerate(self.state.roles)
                if (role_type is None or role.type == role_type) and (held is None or role.id in held)
            ]
        start = 0 if after is None else bisect.bisect_right([p for p, _ in matching], after)
        chosen = matching[start : start + limit]
        more = start + limit < len(matching)
        results = [cloud_json.v2_role(r, self.spec.variants.role_name_field) for _, r in chosen]
        body, headers = v2_page(req, results, chosen[-1][0] if more and chosen else None, fp, limit)
        return json_response(200, body, headers)

    def list_role_assignments(self, req: Request, params: dict[str, str]) -> Response:
        self._require_rbac()
        space = self._space(params["id"])
        role_id = req.param("role-id") or None
        role_type = req.param("role-type") or None
        if role_type is not None and role_type not in ROLE_TYPES:
            raise ApiError(400, f"Invalid value for role-type: {role_type}")
        principal = self._principal_filter(req)
        limit = v2_limit(req, self.spec.paging.v2_page_cap)
        fp = fingerprint(req, _ASSIGNMENT_FILTERS, scope=f"ra:{space.id}")
        after = decode_cursor(req, fp)
        roles = self.state.roles_by_id

        def keep(a: RoleAssignment) -> bool:
            return (
                (role_id is None or a.role_id == role_id)
                and (role_type is None or roles[a.role_id].type == role_type)
                and (principal is None or (a.principal_type, a.principal_id) == principal)
            )

        with self.state.lock:
            page, more = self.state.role_assignments[space.id].by_seq.page_after(after, limit, keep)
            results = [cloud_json.v2_role_assignment(a) for _, a in page]
        body, headers = v2_page(req, results, page[-1][0] if more else None, fp, limit)
        return json_response(200, body, headers)

    def set_role_assignments(self, req: Request, params: dict[str, str]) -> Response:
        self._require_rbac()
        space = self._space(params["id"])
        if len(req.body) > MAX_V2_BODY_BYTES:
            raise ApiError(413, "Request entity too large")
        require_json(req)
        entries = req.json()
        if not isinstance(entries, list) or not entries:
            raise ApiError(400, "The request body must be a non-empty array of role assignments")
        changes: list[tuple[str, str, str | None]] = []
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("principal"), dict):
                raise ApiError(400, "Each role assignment needs a principal")
            ptype = entry["principal"].get("principalType")
            pid = entry["principal"].get("principalId")
            self._check_principal(ptype, pid)
            role_id = entry.get("roleId")
            if role_id is not None and role_id not in self.state.roles_by_id:
                raise ApiError(400, f"Role not found: {role_id}")
            changes.append((ptype, pid, role_id))
        # Documented: with roleId the principal gets that role; without, its assignment is removed.
        results: list[dict[str, Any]] = []
        with self.state.lock:
            for ptype, pid, role_id in changes:
                assignment = self.state.set_role_assignment(space.id, ptype, pid, role_id)
                if assignment is not None:
                    results.append(cloud_json.v2_role_assignment(assignment))
        return json_response(200, {"results": results, "_links": {"base": req.base_url + "/wiki"}})

    # --- users ---------------------------------------------------------------------------------

    def users_bulk(self, req: Request, _params: dict[str, str]) -> Response:
        require_json(req)
        body = req.json()
        ids = body.get("accountIds") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise ApiError(400, "accountIds must be a non-empty array of strings")
        if len(ids) > MAX_BULK_IDS:
            raise ApiError(400, f"accountIds must not contain more than {MAX_BULK_IDS} items")
        seen: set[str] = set()
        results = []
        for account_id in ids:
            user = self.state.users.get(account_id)
            if user is not None and account_id not in seen:
                seen.add(account_id)
                results.append(cloud_json.v2_user(user))
        base = req.base_url + "/wiki"
        return json_response(200, {"results": results, "_links": {"base": base}}, {"Link": f'<{base}>; rel="base"'})

    # --- helpers -------------------------------------------------------------------------------

    def _require_rbac(self) -> None:
        if not self.spec.rbac_enabled:
            # Sites without roles do not serve the RBAC data endpoints at all.
            raise ApiError(404, "Space roles are not available on this site")

    def _space(self, raw_id: str) -> Space:
        try:
            space_id = int(raw_id)
        except ValueError as exc:
            raise ApiError(400, f"Invalid space id: {raw_id}") from exc
        space = self.state.visible_space(space_id)
        if space is None:
            raise _not_found("Space")
        return space

    def _space_list(self, kind: str | None, status: str | None) -> list[int]:
        with self._cache_lock:
            cached = self._space_lists.get((kind, status))
            if cached is None:
                cached = [
                    s.id
                    for s in self.state.visible_spaces.values()
                    if (kind is None or s.type == kind) and (status is None or s.status == status)
                ]
                self._space_lists[(kind, status)] = cached
            return cached

    def _spaces_by_ids_and_keys(
        self, ids: list[str], keys: list[str], kind: str | None, status: str | None
    ) -> list[int]:
        found: set[int] = set()
        for raw in ids:
            try:
                space = self.state.visible_space(int(raw))
            except ValueError as exc:
                raise ApiError(400, f"Invalid space id: {raw}") from exc
            if space is not None:
                found.add(space.id)
        by_key = {self.state.spaces_by_key[k].id for k in keys if self.state.visible_space_by_key(k)}
        selected = found & by_key if ids and keys else found | by_key
        return sorted(
            i
            for i in selected
            if (kind is None or self.state.spaces[i].type == kind)
            and (status is None or self.state.spaces[i].status == status)
        )

    def _principal_filter(self, req: Request) -> tuple[str, str] | None:
        pid, ptype = req.param("principal-id") or None, req.param("principal-type") or None
        if (pid is None) != (ptype is None):
            # Documented: principal-id and principal-type must be given together.
            raise ApiError(400, "principal-id and principal-type must be specified together")
        if pid is None or ptype is None:
            return None
        if ptype not in PRINCIPAL_TYPES:
            raise ApiError(400, f"Invalid value for principal-type: {ptype}")
        return (ptype, pid)

    def _check_principal(self, ptype: Any, pid: Any) -> None:
        if ptype not in PRINCIPAL_TYPES or not isinstance(pid, str) or not pid:
            raise ApiError(400, "principal.principalType and principal.principalId are required")
        known = {
            ROLE_PRINCIPAL_USER: lambda: pid in self.state.users,
            ROLE_PRINCIPAL_GROUP: lambda: pid in self.state.groups,
            ROLE_PRINCIPAL_ACCESS_CLASS: lambda: pid in ACCESS_CLASSES,
        }[ptype]()
        if not known:
            raise ApiError(400, f"Principal not found: {ptype} {pid}")
