"""Data Center handlers for spaces and space permissions (9.1+), plus the version (global
permissions: site_global.py). Facts each one rests on: DC_FACTS.md §Spaces and §Space permissions.

Space permissions have no ids on Data Center: reads list `{operation, subject}` entries, writes
name the subject in the path and the pairs in the body (`[{targetType, operationKey}]`). Grants
add what is missing ("doesn't override existing permissions"), revokes skip what is not held
("silently skipped") — both documented.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from confluence_simulator import dc_json
from confluence_simulator.dc_directory import Directory
from confluence_simulator.errors import BAD_REQUEST_EXCEPTION, NOT_FOUND_EXCEPTION, ApiError
from confluence_simulator.pagination import v1_page, v1_window
from confluence_simulator.paging_spec import DC_SPACES
from confluence_simulator.routing import Request, Response, json_response
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import (
    ANONYMOUS,
    PRINCIPAL_ACCESS_CLASS,
    PRINCIPAL_GROUP,
    PRINCIPAL_USER,
    SiteState,
    Space,
    SpacePermission,
)
from confluence_simulator.write_checks import require_json, require_xsrf_token

SPACES_DEFAULT_LIMIT = 25
SPACES_MAX_LIMIT = 100
READ = ("space", "read")


class DcSpacesApi:
    def __init__(self, state: SiteState, spec: SiteSpec, directory: Directory, context: str) -> None:
        self.state = state
        self.spec = spec
        self.directory = directory
        self.context = context

    # --- spaces ------------------------------------------------------------------------------
    def spaces(self, req: Request, _params: dict[str, str]) -> Response:
        kind, status, keys = req.param("type") or None, req.param("status") or None, set(req.params("spaceKey"))
        if kind not in (None, "global", "personal"):
            raise ApiError(400, BAD_REQUEST_EXCEPTION + f"Invalid space type: {kind}")
        if status not in (None, "current", "archived"):
            raise ApiError(400, BAD_REQUEST_EXCEPTION + f"Invalid space status: {status}")
        window = v1_window(req, SPACES_DEFAULT_LIMIT, SPACES_MAX_LIMIT, paging=self.spec.paging)
        if status is None and not self.spec.spaces_unfiltered_include_archived:
            status = "current"  # undocumented default: played both ways (DC_FACTS.md §Spaces)
        chosen = [s for s in self._by_key() if _matches(s, kind, status, keys)]
        base = req.base_url + self.context
        results = [dc_json.space(s, base) for s in chosen[window.start : window.end]]
        more = window.end < len(chosen)
        body = v1_page(req, results, window, more, listing=DC_SPACES, paging=self.spec.paging, context=self.context)
        return json_response(200, body)

    def space(self, req: Request, params: dict[str, str]) -> Response:
        return json_response(200, dc_json.space(self._space(params), req.base_url + self.context))

    # --- space permissions -------------------------------------------------------------------
    def permissions(self, _req: Request, params: dict[str, str]) -> Response:
        space = self._space(params)
        return json_response(200, self._rendered(space, self.state.space_permissions(space.id)))

    def anonymous_permissions(self, _req: Request, params: dict[str, str]) -> Response:
        space = self._space(params)
        held = [p for p in self.state.space_permissions(space.id) if p.principal_type == PRINCIPAL_ACCESS_CLASS]
        return json_response(200, self._rendered(space, held))

    def grant(self, req: Request, params: dict[str, str]) -> Response:
        space, subject, pairs = self._write(req, params)
        with self.state.lock:
            holds_read = self.state.find_permission(space.id, *subject, "read", "space") is not None
            if not holds_read and READ not in pairs and pairs:
                raise ApiError(400, BAD_REQUEST_EXCEPTION + "'read space' permission is required for the subject")
            for pair in pairs:
                key, target = dc_json.DC_PAIRS[pair]
                if self.state.find_permission(space.id, *subject, key, target) is None:
                    self.state.add_space_permission(space.id, subject[0], subject[1], key, target)
        return Response(204)

    def revoke(self, req: Request, params: dict[str, str]) -> Response:
        space, subject, pairs = self._write(req, params)
        with self.state.lock:
            for pair in pairs:
                key, target = dc_json.DC_PAIRS[pair]
                perm_id = self.state.find_permission(space.id, *subject, key, target)
                if perm_id is not None:
                    self.state.remove_space_permission(space.id, perm_id)
        return Response(204)

    # --- instance ----------------------------------------------------------------------------
    def server_information(self, req: Request, _params: dict[str, str]) -> Response:
        return json_response(200, {
            "baseUrl": req.base_url + self.context,
            "version": self.spec.server_version,
            "buildNumber": 9000 + sum(int(n) for n in self.spec.server_version.split(".")[:2] if n.isdigit()),
            "buildDate": "2025-01-01T00:00:00.000Z",
        })

    # --- helpers -----------------------------------------------------------------------------
    def _by_key(self) -> list[Space]:
        with self.state.lock:
            return sorted(self.state.visible_spaces.values(), key=lambda s: s.key)

    def _space(self, params: dict[str, str]) -> Space:
        key = unquote(params["spaceKey"])
        space = self.state.visible_space_by_key(key)
        if space is None:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"No space with key : {key}")
        return space

    def _rendered(self, space: Space, perms: list[SpacePermission]) -> list[dict[str, Any]]:
        out = []
        for perm in perms:
            subject = self._subject_json(perm)
            entry = dc_json.permission(perm, space, subject) if subject is not None else None
            if entry is not None:
                out.append(entry)
        return out

    def _subject_json(self, perm: SpacePermission) -> dict[str, Any] | None:
        if perm.principal_type == PRINCIPAL_USER:
            entry = self.directory.by_account.get(perm.principal_id)
            name = entry.username if entry else ""
            return {"type": "user", "userKey": entry.user_key, "displayName": name} if entry else None
        if perm.principal_type == PRINCIPAL_GROUP:
            name = self.state.groups[perm.principal_id].name
            return {"type": "group", "name": name, "displayName": name}
        if perm.principal_type == PRINCIPAL_ACCESS_CLASS and perm.principal_id == ANONYMOUS:
            return {"type": "anonymous", "displayName": "Anonymous"}
        return None  # role principals are a Cloud notion

    def _write(self, req: Request, params: dict[str, str]) -> tuple[Space, tuple[str, str], list[tuple[str, str]]]:
        require_xsrf_token(req)
        require_json(req)
        space = self._space(params)
        subject = self._subject(params["kind"], unquote(params["id"]))
        return space, subject, _pairs(req.json())

    def _subject(self, kind: str, identifier: str) -> tuple[str, str]:
        if kind == "user":
            entry = self.directory.by_key.get(identifier)
            if entry is None:
                raise ApiError(404, NOT_FOUND_EXCEPTION + f"No user found with key: {identifier}")
            return (PRINCIPAL_USER, entry.account_id)
        if kind == "group":
            group = self.state.groups_by_name.get(identifier)
            if group is None:
                raise ApiError(404, NOT_FOUND_EXCEPTION + f"No group found with name: {identifier}")
            return (PRINCIPAL_GROUP, group.id)
        raise ApiError(404, f"No resource found for subject type {kind}")


def _matches(space: Space, kind: str | None, status: str | None, keys: set[str]) -> bool:
    dc_type = "personal" if space.type == "personal" else "global"
    return (kind is None or dc_type == kind) and (status is None or space.status == status) and (
        not keys or space.key in keys
    )


def _pairs(body: Any) -> list[tuple[str, str]]:
    if not isinstance(body, list):
        raise ApiError(400, BAD_REQUEST_EXCEPTION + "Expected a JSON array of {targetType, operationKey}")
    pairs = []
    for item in body:
        pair = (item.get("targetType"), item.get("operationKey")) if isinstance(item, dict) else (None, None)
        if pair not in dc_json.DC_PAIRS:
            raise ApiError(400, BAD_REQUEST_EXCEPTION + f"Invalid permission: targetType={pair[0]}, "
                                                        f"operationKey={pair[1]}")
        pairs.append((str(pair[0]), str(pair[1])))
    return pairs
