"""The JSON-RPC remote API of the simulated Data Center site (DC_FACTS.md §Remote API).

`POST {context}/rpc/json-rpc/confluenceservice-v2` with a JSON-RPC 2.0 envelope. Served on every
version (real sites keep it after 9.1), behind the admin toggle `SiteSpec.remote_api_enabled`: off,
the endpoint answers `SiteSpec.remote_api_off_status` (403 or 404). Two methods, the leading
`token` argument left out as the JSON-RPC documentation says:

- `getSpacePermissionSets(spaceKey)`: one `{"type", "spacePermissions": [{"type", "userName",
  "groupName"}]}` per permission type held in the space; users by username, anonymous access with
  both names null; the same permissions the 9.1 REST endpoint shows;
- `getServerInfo()`: `{"majorVersion", "minorVersion", "patchLevel", "baseUrl", ...}`.

Failures are JSON-RPC error objects in an HTTP 200 answer (assumed; the client also reads them from
an error status): unknown method -32601, bad params -32602, Confluence's own refusals (denied
space permissions, unknown space) -32603 with the Java exception in the message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from confluence_simulator import dc_json
from confluence_simulator import spec as families
from confluence_simulator.dc_directory import Directory
from confluence_simulator.errors import ApiError
from confluence_simulator.routing import Request, Response, json_response
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import (
    ANONYMOUS,
    PRINCIPAL_ACCESS_CLASS,
    PRINCIPAL_GROUP,
    PRINCIPAL_USER,
    SiteState,
    SpacePermission,
)

RPC_PATH = "/rpc/json-rpc/confluenceservice-v2"
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
SERVER_ERROR = -32603
NOT_PERMITTED = "com.atlassian.confluence.rpc.NotPermittedException: "
REMOTE_EXCEPTION = "com.atlassian.confluence.rpc.RemoteException: "


class _RpcFailure(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class DcRemoteApi:
    def __init__(self, state: SiteState, spec: SiteSpec, directory: Directory, context: str) -> None:
        self.state = state
        self.spec = spec
        self.directory = directory
        self.context = context

    def handle(self, req: Request, _params: dict[str, str]) -> Response:
        if not self.spec.remote_api_enabled:
            raise ApiError(self.spec.remote_api_off_status, "The remote API is disabled on this site")
        body = req.json()
        call_id = body.get("id") if isinstance(body, dict) else None
        try:
            result = self._dispatch(req, body)
        except _RpcFailure as failure:
            error = {"code": failure.code, "message": failure.message}
            return json_response(200, {"jsonrpc": "2.0", "id": call_id, "error": error})
        return json_response(200, {"jsonrpc": "2.0", "id": call_id, "result": result})

    def _dispatch(self, req: Request, body: Any) -> Any:
        if not isinstance(body, dict) or not isinstance(body.get("method"), str):
            raise _RpcFailure(-32600, "Invalid Request")
        params = body.get("params", [])
        if not isinstance(params, list):
            raise _RpcFailure(INVALID_PARAMS, "params must be a list of positional arguments")
        method = body["method"]
        if method == "getSpacePermissionSets" and len(params) == 1 and isinstance(params[0], str):
            return self._permission_sets(params[0])
        if method == "getServerInfo" and not params:
            return self._server_info(req)
        if method in ("getSpacePermissionSets", "getServerInfo"):
            raise _RpcFailure(INVALID_PARAMS, f"Invalid params for {method}: {params!r}")
        raise _RpcFailure(METHOD_NOT_FOUND, f"No such method: {method}")

    def _permission_sets(self, space_key: str) -> list[dict[str, Any]]:
        if families.FAMILY_SPACE_PERMISSIONS in self.spec.denied:
            raise _RpcFailure(SERVER_ERROR, NOT_PERMITTED + "You do not have permissions to view the space permissions")
        space = self.state.visible_space_by_key(space_key)
        if space is None:
            raise _RpcFailure(SERVER_ERROR, REMOTE_EXCEPTION + f"No space found for space key: {space_key}")
        by_type: dict[str, list[dict[str, Any]]] = {}
        for perm in self.state.space_permissions(space.id):
            kind = dc_json.rpc_type(perm)
            entry = self._entry(perm, kind) if kind else None
            if entry is not None:
                by_type.setdefault(kind, []).append(entry)
        return [{"type": kind, "spacePermissions": entries} for kind, entries in by_type.items()]

    def _entry(self, perm: SpacePermission, kind: str) -> dict[str, Any] | None:
        if perm.principal_type == PRINCIPAL_USER:
            user = self.directory.by_account.get(perm.principal_id)
            return {"type": kind, "userName": user.username, "groupName": None} if user else None
        if perm.principal_type == PRINCIPAL_GROUP:
            return {"type": kind, "userName": None, "groupName": self.state.groups[perm.principal_id].name}
        if perm.principal_type == PRINCIPAL_ACCESS_CLASS and perm.principal_id == ANONYMOUS:
            return {"type": kind, "userName": None, "groupName": None}
        return None  # other access classes and roles are Cloud notions

    def _server_info(self, req: Request) -> dict[str, Any]:
        numbers = [int(n) for n in self.spec.server_version.split("-")[0].split(".") if n.isdigit()] + [0, 0, 0]
        return {
            "majorVersion": numbers[0],
            "minorVersion": numbers[1],
            "patchLevel": numbers[2],
            "buildId": str(9000 + numbers[0] + numbers[1]),
            "developmentBuild": False,
            "baseUrl": req.base_url + quote(self.context),
        }
