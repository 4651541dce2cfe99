"""Turning HTTP failures into ConnectorErrors with the gRPC code the sync engine acts on.

Every message is one line: `baton-confluence: <METHOD> <path>: <what happened>[: <API message>]`.
The path never carries the query string, and all text passes through `redact`.
"""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Iterable, Iterator
from http import HTTPStatus
from typing import Any

import grpc
import httpx

from baton_confluence.baton.errors import ConnectorError, RateLimitInfo
from baton_confluence.confluence.client.redact import redact
from baton_confluence.confluence.client.scopes import gone_fix, is_scope_mismatch, missing_scope_fix, scopes_needed

PREFIX = "baton-confluence"
MAX_API_MESSAGE = 300

_STATUS_CODES: dict[int, grpc.StatusCode] = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    408: grpc.StatusCode.DEADLINE_EXCEEDED,
    409: grpc.StatusCode.ALREADY_EXISTS,
    429: grpc.StatusCode.UNAVAILABLE,
    501: grpc.StatusCode.UNIMPLEMENTED,
}


class MissingScopeError(ConnectorError):
    """401 "scope does not match" through the gateway: the credential lacks `scopes` (any one)."""

    def __init__(self, code: grpc.StatusCode, message: str, *, scopes: tuple[str, ...]) -> None:
        super().__init__(code, message)
        self.scopes = scopes


class EndpointGone(ConnectorError):
    """HTTP 410: the site, or the API gateway for OAuth 2.0 tokens, has retired the endpoint for this
    kind of credential. A caller with a v2 equivalent uses it; callers of an optional listing skip
    it and say so; everyone else sees the usual ConnectorError."""

    # What to do instead, when known (an OAuth 2.0 token through the gateway: `gone_fix`), so that
    # Validate names it rather than a permission, which cannot bring an endpoint back.
    fix: str = ""


def code_for_status(status: int) -> grpc.StatusCode:
    """The gRPC code for an HTTP error status (the mapping baton-sdk's uhttp uses)."""
    if status in _STATUS_CODES:
        return _STATUS_CODES[status]
    if status >= 500:
        return grpc.StatusCode.UNAVAILABLE
    if 300 <= status < 400:
        # Redirects are not followed (they would carry the credentials elsewhere): the base
        # URL is wrong, which is the caller's argument.
        return grpc.StatusCode.INVALID_ARGUMENT
    if status >= 400:
        return grpc.StatusCode.INVALID_ARGUMENT
    return grpc.StatusCode.UNKNOWN


def status_error(
    endpoint: str,
    response: httpx.Response,
    *,
    attempts: int,
    secrets: Iterable[str],
    auth_hint: str,
    rate_limit: RateLimitInfo | None,
    oauth: bool = False,
) -> ConnectorError:
    """The error for a response whose status is not a success (`oauth`: the credential is an OAuth
    2.0 token, for which the gateway has withdrawn some v1 endpoints with 410 Gone)."""
    status = response.status_code
    parts = [f"{PREFIX}: {endpoint}: HTTP {status}{_phrase(status)}{_attempts(attempts)}"]
    if 300 <= status < 400:
        location = httpx.URL(response.headers.get("location", "")).copy_with(query=None)
        parts.append(f"redirected to {location}; set the base URL to the site's final address")
    api_message = api_error_message(response.content)
    if api_message:
        parts.append(api_message)
    if status == 401 and is_scope_mismatch(api_message):
        # A classic token gets this answer too when it is wrong, so the credential hint stays.
        parts.extend((missing_scope_fix(endpoint), auth_hint))
        message = redact(": ".join(parts), secrets)
        return MissingScopeError(code_for_status(status), message, scopes=scopes_needed(endpoint))
    if status == 401:
        parts.append(auth_hint)
    if status == 410 and oauth:
        parts.append(gone_fix(endpoint))
    message = redact(": ".join(parts), secrets)
    if status == 410:
        gone = EndpointGone(code_for_status(status), message, rate_limit=rate_limit)
        gone.fix = gone_fix(endpoint) if oauth else ""
        return gone
    return ConnectorError(code_for_status(status), message, rate_limit=rate_limit)


def unexpected_status_error(endpoint: str, status: int, expected: Iterable[int]) -> ConnectorError:
    wanted = ", ".join(str(code) for code in expected)
    return ConnectorError(
        grpc.StatusCode.UNKNOWN,
        f"{PREFIX}: {endpoint}: unexpected HTTP {status}{_phrase(status)} (expected {wanted})",
    )


def bad_body_error(endpoint: str, problem: str, *, status: int, attempts: int) -> ConnectorError:
    """A 2xx whose body is not the JSON promised: usually a truncated transfer, so retryable."""
    return ConnectorError(
        grpc.StatusCode.UNAVAILABLE,
        f"{PREFIX}: {endpoint}: HTTP {status} with {problem}{_attempts(attempts)}",
    )


def transport_error(
    endpoint: str,
    host: str,
    exc: httpx.TransportError,
    *,
    attempts: int,
    secrets: Iterable[str],
    proxy: str = "",
) -> ConnectorError:
    """The error for a request that got no HTTP response (DNS, refused, TLS, reset, timeout).

    `proxy` is the environment proxy the request went through, named so that a refused proxy is
    not mistaken for a refused site.
    """
    code = (
        grpc.StatusCode.DEADLINE_EXCEEDED
        if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout)
        else grpc.StatusCode.UNAVAILABLE
    )
    via = f" (through proxy {proxy} from HTTP_PROXY/HTTPS_PROXY; NO_PROXY lists hosts to reach directly)" if proxy else ""
    message = f"{PREFIX}: {endpoint}: {describe_transport_error(host, exc)}{via}{_attempts(attempts)}"
    return ConnectorError(code, redact(message, secrets))


def describe_transport_error(host: str, exc: httpx.TransportError) -> str:
    """What went wrong, in words an operator can act on."""
    cause = _root_cause(exc)
    detail = str(cause) or str(exc) or type(exc).__name__
    if isinstance(cause, ssl.SSLCertVerificationError):
        return (
            f"TLS certificate verification failed for {host} ({cause.verify_message or detail}); "
            "if the site uses a private or corporate CA, pass its PEM with --ca-cert"
        )
    if isinstance(cause, ssl.SSLError):
        return f"TLS handshake with {host} failed ({detail})"
    if isinstance(cause, socket.gaierror):
        return f"cannot resolve host {host} ({detail})"
    if isinstance(cause, ConnectionRefusedError):
        return f"connection to {host} refused"
    return _describe_by_type(host, exc, detail)


def _describe_by_type(host: str, exc: httpx.TransportError, detail: str) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out connecting to {host}"
    if isinstance(exc, httpx.PoolTimeout):
        return f"timed out waiting for a free connection to {host}"
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
        return f"no response from {host} within the timeout"
    if isinstance(exc, httpx.ProxyError):
        return f"proxy error reaching {host} ({detail})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {host} ({detail})"
    return f"connection to {host} failed ({detail})"


def is_tls_verify_failure(exc: BaseException) -> bool:
    return isinstance(_root_cause(exc), ssl.SSLCertVerificationError)


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost exception: httpx wraps httpcore, which wraps the OS/ssl error."""
    last = exc
    for item in _chain(exc):
        last = item
    return last


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def api_error_message(body: bytes) -> str:
    """The API's own error text from a response body, on one line, at most 300 characters.

    v1 errors look like `{"statusCode": 404, "message": "..."}`; v2 errors like
    `{"errors": [{"status": 400, "code": "...", "title": "...", "detail": "..."}]}`. Any other
    non-HTML text is used as is; HTML error pages (proxies, load balancers) are left out.
    """
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return ""
    try:
        message = _message_from_json(json.loads(text))
    except ValueError:
        message = "" if text.startswith("<") else text
    return _one_line(message)


def _message_from_json(data: Any) -> str:
    if isinstance(data, str):
        return data
    if not isinstance(data, dict):
        return ""
    for key in ("message", "errorMessage", "detail", "title", "reason", "error"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    nested = data.get("error")
    if isinstance(nested, dict):  # JSON-RPC: {"error": {"code", "message"}}
        return _message_from_json(nested)
    for key in ("errors", "errorMessages"):
        value = data.get(key)
        if isinstance(value, list):
            return "; ".join(filter(None, (_message_from_json(item) for item in value)))
    return ""


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_API_MESSAGE else flat[: MAX_API_MESSAGE - 1] + "…"


def _phrase(status: int) -> str:
    try:
        return f" {HTTPStatus(status).phrase}"
    except ValueError:
        return ""


def _attempts(attempts: int) -> str:
    return f" after {attempts} attempts" if attempts > 1 else ""
