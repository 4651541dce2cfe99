"""A tiny in-test Confluence Cloud site served through respx: just enough API for the syncers.

Pages are `page_size` long whatever `limit` the client asks for (as a site that caps `limit`
would), so the client must follow `_links.next`. Every request is recorded by URL.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx

BASE = "https://example.atlassian.net"
V1 = "/wiki/rest/api"
V2 = "/wiki/api/v2"
CLOUD_ID = "fake-cloud-id"


def user(
    account_id: str, *, name: str = "", email: str = "", active: bool = True, kind: str = "atlassian"
) -> dict[str, Any]:
    return {
        "accountId": account_id,
        "accountType": kind,
        "displayName": name or account_id.title(),
        "email": email,
        "operations": [{"operation": "use", "targetType": "application"}] if active else [],
    }


def space(space_id: int, key: str, *, kind: str = "global", status: str = "current", name: str = "") -> dict[str, Any]:
    return {"id": str(space_id), "key": key, "name": name or f"Space {key}", "type": kind, "status": status}


def permission(principal_type: str, principal_id: str, key: str, target: str) -> dict[str, Any]:
    return {
        "id": "1",
        "principal": {"type": principal_type, "id": principal_id},
        "operation": {"key": key, "targetType": target},
    }


def assignment(principal_type: str, principal_id: str, role_id: str) -> dict[str, Any]:
    return {"principal": {"principalType": principal_type, "principalId": principal_id}, "roleId": role_id}


@dataclass
class FakeSite:
    page_size: int = 2
    search: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    members: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    spaces: list[dict[str, Any]] = field(default_factory=list)
    permissions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    role_mode: str | None = "ROLES"  # None: the endpoint answers 404
    roles: list[dict[str, Any]] | None = field(default_factory=list)  # None: 404
    assignments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Accounts no listing returns (past the search ceiling, in no group): found only by id lookup.
    unlisted: list[dict[str, Any]] = field(default_factory=list)
    current_user: dict[str, Any] = field(default_factory=lambda: {"accountId": "admin", "accountType": "atlassian"})
    current_user_status: int = 200
    calls: Counter[str] = field(default_factory=Counter)

    # --- routing --------------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        query = dict(parse_qsl(request.url.query.decode()))
        self.calls[f"{path}?{urlencode(sorted(query.items()))}"] += 1
        for prefix, handler in self._routes():
            if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
                return handler(path, query)
        return _error(404, f"no route for {path}")

    def _routes(self) -> list[tuple[str, Callable[[str, dict[str, str]], httpx.Response]]]:
        return [
            (f"{V1}/user/current", self._current_user),
            (f"{V1}/user", self._user_by_id),
            (f"{V1}/search/user", self._search),
            (f"{V1}/group", self._groups),
            (f"{V1}/group/by-id", self._group_by_id),
            (f"{V1}/group/", self._members),
            (f"{V2}/spaces", self._spaces),
            (f"{V2}/spaces/", self._space_sub),
            (f"{V2}/space-role-mode", self._role_mode),
            (f"{V2}/space-roles", self._roles),
            ("/_edge/tenant_info", self._tenant_info),
        ]

    def repeated(self) -> dict[str, int]:
        return {url: n for url, n in self.calls.items() if n > 1}

    def _tenant_info(self, path: str, query: dict[str, str]) -> httpx.Response:
        return _json({"cloudId": CLOUD_ID})

    # --- v1 -------------------------------------------------------------------------------
    def _current_user(self, path: str, query: dict[str, str]) -> httpx.Response:
        if self.current_user_status != 200:
            return _error(self.current_user_status, "Unauthorized")
        return _json(self.current_user)

    def _user_by_id(self, path: str, query: dict[str, str]) -> httpx.Response:
        """v1 Get user: any account the site knows, listed or not; 404 for an unknown id."""
        listed = [*self.search, *(u for members in self.members.values() for u in members), *self.unlisted]
        match = [u for u in listed if u["accountId"] == query.get("accountId")]
        return _json(match[0]) if match else _error(404, "user not found")

    def _group_by_id(self, path: str, query: dict[str, str]) -> httpx.Response:
        match = [g for g in self.groups if g["id"] == query.get("id")]
        return _json(match[0]) if match else _error(404, "group not found")

    def _search(self, path: str, query: dict[str, str]) -> httpx.Response:
        return self._v1_page(path, query, [{"user": u} for u in self.search])

    def _groups(self, path: str, query: dict[str, str]) -> httpx.Response:
        return self._v1_page(path, query, self.groups)

    def _members(self, path: str, query: dict[str, str]) -> httpx.Response:
        group_id = path.split("/")[-2]
        return self._v1_page(path, query, self.members.get(group_id, []))

    def _v1_page(self, path: str, query: dict[str, str], items: list[dict[str, Any]]) -> httpx.Response:
        start = int(query.get("start", "0"))
        chunk = items[start : start + self.page_size]
        body: dict[str, Any] = {"results": chunk, "start": start, "limit": self.page_size, "size": len(chunk)}
        if start + self.page_size < len(items):
            next_query = {**query, "start": str(start + self.page_size)}
            body["_links"] = {"next": f"{path.removeprefix('/wiki')}?{urlencode(next_query)}"}
        return _json(body)

    # --- v2 -------------------------------------------------------------------------------
    def _spaces(self, path: str, query: dict[str, str]) -> httpx.Response:
        found = self.spaces
        if "status" in query:
            found = [s for s in found if s["status"] == query["status"]]
        if "keys" in query:
            keys = set(query["keys"].split(","))
            found = [s for s in found if s["key"] in keys]
        return self._v2_page(path, query, found)

    def _space_sub(self, path: str, query: dict[str, str]) -> httpx.Response:
        parts = path.removeprefix(f"{V2}/spaces/").split("/")
        if len(parts) == 1:
            match = [s for s in self.spaces if s["id"] == parts[0]]
            return _json(match[0]) if match else _error(404, "space not found")
        if parts[1] == "permissions":
            return self._v2_page(path, query, self.permissions.get(parts[0], []))
        if parts[1] == "role-assignments":
            found = self.assignments.get(parts[0], [])
            if "role-id" in query:
                found = [a for a in found if a["roleId"] == query["role-id"]]
            return self._v2_page(path, query, found)
        return _error(404, "unknown")

    def _role_mode(self, path: str, query: dict[str, str]) -> httpx.Response:
        return _error(404, "not found") if self.role_mode is None else _json({"mode": self.role_mode})

    def _roles(self, path: str, query: dict[str, str]) -> httpx.Response:
        return _error(404, "not found") if self.roles is None else self._v2_page(path, query, self.roles)

    def _v2_page(self, path: str, query: dict[str, str], items: list[dict[str, Any]]) -> httpx.Response:
        offset = int(query.get("cursor", "c0")[1:])
        chunk = items[offset : offset + self.page_size]
        body: dict[str, Any] = {"results": chunk, "_links": {}}
        if offset + self.page_size < len(items):
            next_query = {**query, "cursor": f"c{offset + self.page_size}"}
            body["_links"]["next"] = f"{path}?{urlencode(next_query)}"
        return _json(body)


def _json(body: Any) -> httpx.Response:
    return httpx.Response(200, content=json.dumps(body), headers={"content-type": "application/json"})


def _error(status: int, message: str) -> httpx.Response:
    return httpx.Response(status, content=json.dumps({"statusCode": status, "message": message}))
