"""Content endpoints (Cloud, and Data Center under its context path): the v1 content listing with restrictions inline, the v1 restriction
reads and writes, and the v2 page listing (FACTS.md §Restricted content).

- `GET /wiki/rest/api/content?spaceKey=&type=&start=&limit=&expand=`: a space's current pages
  (or blog posts), by id. `ancestors` and `restrictions.{read,update}.restrictions.{user,group}`
  appear only when expanded; an inline list serves at most `ContentSpec.inline_limit` entries,
  with `_links.next` (to the byOperation endpoint) when more remain.
- `GET /wiki/rest/api/content/{id}/restriction/byOperation/{op}?start=&limit=`: one window over
  both the users and the groups of the restriction.
- `PUT|DELETE .../byOperation/{op}/user?accountId=` and `.../byOperation/{op}/byGroupId/{groupId}`:
  200 with an empty body, also when nothing changes (assumed; FACTS.md).
- `GET /wiki/api/v2/spaces/{id}/pages`: pages without restrictions (v2 has none).
- `ContentSpec.v1_content_gone`: every v1 content endpoint answers 410; `v1_restrictions_gone`:
  only the restriction endpoints do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from confluence_simulator import cloud_json
from confluence_simulator import paging_spec as listings
from confluence_simulator.content_state import CONTENT_TYPES, OPERATIONS, Content, Restriction
from confluence_simulator.errors import BAD_REQUEST_EXCEPTION, NOT_FOUND_EXCEPTION, ApiError
from confluence_simulator.pagination import (
    CONTEXT_PATH,
    decode_cursor,
    fingerprint,
    v1_page,
    v1_window,
    v2_limit,
    v2_page,
)
from confluence_simulator.routing import Request, Response, json_response
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import SiteState, User
from confluence_simulator.write_checks import require_xsrf_token

CONTENT_DEFAULT_LIMIT = 25  # documented default of GET /content
CONTENT_MAX_LIMIT = 100  # not documented ("fixed system limits"): assumed
RESTRICTION_DEFAULT_LIMIT = 100  # documented default of byOperation/{op}
RESTRICTION_MAX_LIMIT = 100  # assumed
GONE_MESSAGE = (
    "This endpoint has been removed for this type of request; use the v2 API "
    "(https://developer.atlassian.com/cloud/confluence/changelog/)"
)


class ContentApi:
    """Served by Cloud (as is) and by Data Center (`dc_routes.py`: its context path, users named by
    userKey and groups by name, through `user_json` / `group_json`)."""

    def __init__(
        self,
        state: SiteState,
        spec: SiteSpec,
        *,
        user_json: Callable[[str], dict[str, Any]] | None = None,
        group_json: Callable[[str], dict[str, Any]] | None = None,
        context: str = CONTEXT_PATH,
    ) -> None:
        self.state = state
        self.spec = spec
        self._user = user_json or self._cloud_user
        self._group = group_json or self._cloud_group
        self.context = context

    # --- reads -----------------------------------------------------------------------------
    def list_content(self, req: Request, _params: dict[str, str]) -> Response:
        self._not_gone()
        content_type = req.param("type") or "page"
        if content_type not in CONTENT_TYPES:
            raise ApiError(400, BAD_REQUEST_EXCEPTION + f"Unsupported content type: {content_type}")
        key = req.param("spaceKey")
        if not key:
            raise ApiError(400, BAD_REQUEST_EXCEPTION + "spaceKey is required to list content")
        window = v1_window(req, CONTENT_DEFAULT_LIMIT, CONTENT_MAX_LIMIT, paging=self.spec.paging)
        expand = set(req.params("expand"))
        space = self.state.visible_space_by_key(key)
        store = self.state.content
        with store.lock:
            ids = store.listing(space.id, content_type) if space is not None else []
            page = [store.by_id[i] for i in ids[window.start : window.end]]
            results = [self._content(req, c, expand) for c in page]
            has_more = window.start + len(page) < len(ids)
        body = v1_page(req, results, window, has_more, listing=listings.CONTENT, paging=self.spec.paging,
                       context=self.context)
        return json_response(200, body)

    def restriction_by_operation(self, req: Request, params: dict[str, str]) -> Response:
        self._not_gone(restrictions=True)
        content = self._found(params["id"])
        operation = self._operation(params["operationKey"])
        window = v1_window(req, RESTRICTION_DEFAULT_LIMIT, RESTRICTION_MAX_LIMIT, paging=self.spec.paging)
        with self.state.content.lock:
            restriction = content.restrictions[operation]
            body = {
                "operation": operation,
                "restrictions": self._arrays(req, restriction, window.start, window.limit, linked=False),
                "_expandable": {"content": f"/rest/api/content/{content.id}"},
                "_links": {"base": req.base_url + self.context, "context": self.context},
            }
        return json_response(200, body)

    def list_v2_pages(self, req: Request, params: dict[str, str]) -> Response:
        """v2 pages of a space: no restrictions inline, the reason the connector reads v1."""
        try:
            space = self.state.visible_space(int(params["id"]))
        except ValueError as exc:
            raise ApiError(400, f"Invalid space id: {params['id']}") from exc
        if space is None:
            raise ApiError(404, "Space not found")
        limit = v2_limit(req)
        fp = fingerprint(req, (), scope=f"pages:{space.id}")
        after = decode_cursor(req, fp)
        store = self.state.content
        with store.lock:
            ids = [i for i in store.listing(space.id, "page") if after is None or i > after]
            page = [store.by_id[i] for i in ids[:limit]]
            more = len(ids) > limit
        results = [
            {
                "id": str(c.id),
                "status": "current",
                "title": c.title,
                "spaceId": str(c.space_id),
                "parentId": str(c.ancestors[-1]) if c.ancestors else None,
                "parentType": "page" if c.ancestors else None,
                "authorId": self.state.admin_account_id,
                "createdAt": "2024-01-01T00:00:00.000Z",
            }
            for c in page
        ]
        body, headers = v2_page(req, results, page[-1].id if more and page else None, fp, limit)
        return json_response(200, body, headers)

    # --- writes ----------------------------------------------------------------------------
    def add_user(self, req: Request, params: dict[str, str]) -> Response:
        return self._write_user(req, params, add=True)

    def remove_user(self, req: Request, params: dict[str, str]) -> Response:
        return self._write_user(req, params, add=False)

    def add_group(self, req: Request, params: dict[str, str]) -> Response:
        return self._write_group(req, params, add=True)

    def remove_group(self, req: Request, params: dict[str, str]) -> Response:
        return self._write_group(req, params, add=False)

    def _write_user(self, req: Request, params: dict[str, str], *, add: bool) -> Response:
        require_xsrf_token(req)
        self._not_gone(restrictions=True)
        content = self._found(params["id"])
        operation = self._operation(params["operationKey"])
        account_id = req.param("accountId") or ""
        if account_id not in self.state.users:
            raise ApiError(400, BAD_REQUEST_EXCEPTION + f"No user found with accountId: {account_id}")
        self._apply(content, operation, "user", account_id, add=add)
        return Response(200, b"", "application/json", {})

    def _write_group(self, req: Request, params: dict[str, str], *, add: bool) -> Response:
        require_xsrf_token(req)
        self._not_gone(restrictions=True)
        content = self._found(params["id"])
        operation = self._operation(params["operationKey"])
        group_id = params["groupId"]
        if group_id not in self.state.groups:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"No group found with id: {group_id}")
        self._apply(content, operation, "group", group_id, add=add)
        return Response(200, b"", "application/json", {})

    def _apply(self, content: Content, operation: str, kind: str, subject_id: str, *, add: bool) -> None:
        store = self.state.content
        if add:
            store.add_subject(content.id, operation, kind, subject_id)
        else:
            store.remove_subject(content.id, operation, kind, subject_id)

    # --- rendering -------------------------------------------------------------------------
    def _content(self, req: Request, content: Content, expand: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": str(content.id),
            "type": content.type,
            "status": "current",
            "title": content.title,
            "_links": {"webui": f"/spaces/x/pages/{content.id}"},
        }
        expandable: dict[str, str] = {}
        if "ancestors" in expand:
            out["ancestors"] = [self._ancestor(a) for a in content.ancestors]
        else:
            expandable["ancestors"] = ""
        restrictions: dict[str, Any] = {}
        for operation in OPERATIONS:
            wanted = {kind for kind in ("user", "group") if f"restrictions.{operation}.restrictions.{kind}" in expand}
            if not wanted:
                continue
            arrays = self._arrays(req, content.restrictions[operation], 0, self.spec.content.inline_limit,
                                  linked=True, content_id=content.id, operation=operation)
            restrictions[operation] = {
                "operation": operation,
                "restrictions": {kind: arrays[kind] for kind in wanted},
                "_expandable": {"content": f"/rest/api/content/{content.id}"},
                "_links": {},
            }
        if restrictions:
            out["restrictions"] = restrictions
        else:
            expandable["restrictions"] = f"/rest/api/content/{content.id}/restriction/byOperation"
        out["_expandable"] = expandable
        return out

    def _ancestor(self, content_id: int) -> dict[str, Any]:
        ancestor = self.state.content.by_id[content_id]
        return {"id": str(ancestor.id), "type": ancestor.type, "status": "current", "title": ancestor.title}

    def _arrays(
        self,
        req: Request,
        restriction: Restriction,
        start: int,
        limit: int,
        *,
        linked: bool,
        content_id: int = 0,
        operation: str = "",
    ) -> dict[str, Any]:
        users = restriction.users[start : start + limit]
        groups = restriction.groups[start : start + limit]
        out: dict[str, Any] = {}
        for kind, served, total in (("user", users, len(restriction.users)), ("group", groups, len(restriction.groups))):
            rendered = [self._user(a) for a in served] if kind == "user" else [self._group(g) for g in served]
            array: dict[str, Any] = {"results": rendered, "start": start, "limit": limit, "size": len(served)}
            if kind == "user":
                links: dict[str, str] = {}
                if linked and start + len(served) < total:
                    links["next"] = (f"/rest/api/content/{content_id}/restriction/byOperation/{operation}"
                                     f"?start={start + len(served)}&limit={limit}")
                array["_links"] = links
            out[kind] = array
        return out

    def _cloud_user(self, account_id: str) -> dict[str, Any]:
        user: User | None = self.state.users.get(account_id)
        if user is None:
            return {"type": "known", "accountId": account_id}
        return cloud_json.v1_user(user, "", operations=False)

    def _cloud_group(self, group_id: str) -> dict[str, Any]:
        group = self.state.groups[group_id]
        return {"type": "group", "name": group.name, "id": group.id}

    # --- checks ----------------------------------------------------------------------------
    def _not_gone(self, *, restrictions: bool = False) -> None:
        if self.spec.content.v1_content_gone or (restrictions and self.spec.content.v1_restrictions_gone):
            raise ApiError(410, GONE_MESSAGE)

    def _found(self, raw_id: str) -> Content:
        try:
            content = self.state.content.by_id.get(int(raw_id))
        except ValueError:
            content = None
        if content is None or self.state.visible_space(content.space_id) is None:
            raise ApiError(404, NOT_FOUND_EXCEPTION + f"No content found with id: {raw_id}")
        return content

    @staticmethod
    def _operation(key: str) -> str:
        if key not in OPERATIONS:
            raise ApiError(400, BAD_REQUEST_EXCEPTION + f"Unsupported restriction operation: {key}")
        return key

