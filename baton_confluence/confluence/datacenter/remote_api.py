"""Confluence's JSON-RPC remote API: how space permissions are read before Data Center 9.1.

Facts (docs/datacenter.md, "Space permissions before 9.1", has the sources):

- `POST {base URL}/rpc/json-rpc/confluenceservice-v2` with a JSON-RPC 2.0 envelope
  `{"jsonrpc": "2.0", "method", "params": [...], "id"}`. The parameters are the SOAP method's, in
  order, **without** the leading `token`: the request authenticates itself (basic auth; a personal
  access token is assumed to work as on REST, and a 401 says to try username + password).
- `getSpacePermissionSets(spaceKey)` answers `[{"type", "spacePermissions": [{"type", "userName",
  "groupName"}]}]`; neither name set means anonymous access.
- `getServerInfo()` answers `{"majorVersion", "minorVersion", "patchLevel", "baseUrl", ...}`; Validate
  calls it to learn whether the API is switched on without needing a space.
- The API only answers when an administrator has turned on "Remote API (XML-RPC & SOAP)"; a site
  with it off is expected to answer 403 or 404 (which one is not documented: both are read as "off").
- A failed call answers a JSON-RPC `error` object (`{"code", "message"}`), with HTTP 200 or an error
  status (not documented which): both end in a ConnectorError that carries the message.
"""

from __future__ import annotations

import itertools
from typing import Any

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import ConfluenceHTTP

RPC_PATH = "/rpc/json-rpc/confluenceservice-v2"
REMOTE_API_SETTING = "Remote API (XML-RPC & SOAP)"
REMOTE_API_FIX = (
    f"turn on '{REMOTE_API_SETTING}' in the administration console (General Configuration > Further "
    "Configuration), or upgrade to Confluence Data Center 9.1 or later (space-permission REST API)"
)
_OFF_CODES = frozenset({grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND})


class RemoteApiUnavailable(ConnectorError):
    """The remote API answered 403/404 to a call: it is switched off (or absent)."""

    def __init__(self, status: str) -> None:
        self.status = status  # "403" or "404"
        super().__init__(
            grpc.StatusCode.FAILED_PRECONDITION,
            f"baton-confluence: the remote API (JSON-RPC) answered {status}: it is turned off",
        )


class RemoteApiError(ConnectorError):
    """The remote API answered the call with a JSON-RPC error object."""


class RemoteApi:
    def __init__(self, http: ConfluenceHTTP) -> None:
        self.http = http
        self._ids = itertools.count(1)

    async def call(self, method: str, *params: Any) -> Any:
        """The `result` of one JSON-RPC call; raises RemoteApiUnavailable / RemoteApiError."""
        body = {"jsonrpc": "2.0", "method": method, "params": list(params), "id": next(self._ids)}
        try:
            response = await self.http.post_json(RPC_PATH, body, expect=(200,), idempotent=True)
        except ConnectorError as err:
            raise _http_failure(method, err) from err
        return _result(method, response.data)


def _http_failure(method: str, err: ConnectorError) -> ConnectorError:
    if err.code in _OFF_CODES:
        return RemoteApiUnavailable("404" if err.code == grpc.StatusCode.NOT_FOUND else "403")
    if err.code == grpc.StatusCode.UNAUTHENTICATED:
        return ConnectorError(
            err.code,
            f"{err.message} (remote API call {method}; if REST calls work with this personal access token, "
            "the remote API may not accept it: use --username and --password)",
        )
    return err


def _result(method: str, data: Any) -> Any:
    if not isinstance(data, dict) or ("result" not in data and "error" not in data):
        raise RemoteApiError(
            grpc.StatusCode.UNKNOWN, f"baton-confluence: the remote API answered {method} without a JSON-RPC envelope"
        )
    error = data.get("error")
    if error is not None:
        raise _rpc_error(method, error)
    return data["result"]


def _rpc_error(method: str, error: Any) -> RemoteApiError:
    fields = error if isinstance(error, dict) else {"message": str(error)}
    message = str(fields.get("message") or "no message")
    code = fields.get("code")
    return RemoteApiError(
        _grpc_code(message), f"baton-confluence: the remote API refused {method}: {message} (JSON-RPC error {code})"
    )


def _grpc_code(message: str) -> grpc.StatusCode:
    """The remote API names the Java exception in its message (NotPermittedException, ...)."""
    lowered = message.lower()
    if "notpermitted" in lowered or "not permitted" in lowered or "not allowed" in lowered:
        return grpc.StatusCode.PERMISSION_DENIED
    if "not found" in lowered or "does not exist" in lowered or "no space" in lowered:
        return grpc.StatusCode.NOT_FOUND
    return grpc.StatusCode.UNKNOWN


def permission_entries(result: Any) -> list[tuple[str, str, str]]:
    """(type, userName, groupName) of every permission in a `getSpacePermissionSets` result.

    A permission's own `type` wins over its set's (they agree on real answers); '' for a missing name.
    """
    if not isinstance(result, list):
        raise RemoteApiError(
            grpc.StatusCode.UNKNOWN, "baton-confluence: the remote API answered getSpacePermissionSets without a list"
        )
    entries = []
    for permission_set in result:
        if not isinstance(permission_set, dict):
            continue
        set_type = _text(permission_set.get("type"))
        permissions = permission_set.get("spacePermissions")
        for item in permissions if isinstance(permissions, list) else []:
            if isinstance(item, dict):
                kind = _text(item.get("type")) or set_type
                entries.append((kind, _text(item.get("userName")), _text(item.get("groupName"))))
    return entries


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
