"""Site URLs: validating the configured base URL, building request paths and query strings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client.redact import redact_params

EXPECTED_FORM = "https://your-site.atlassian.net (Cloud) or https://host[:port]/context (Data Center)"

_USERINFO = re.compile(r"//[^/?#@]*@")

QueryValue = str | int | bool | None
QueryParams = Mapping[str, QueryValue]


def validate_base_url(value: str) -> str:
    """The site URL, normalised (no trailing slash), or INVALID_ARGUMENT naming what is wrong.

    The base URL includes any context path (`https://host/confluence`); API paths such as
    `/wiki/rest/api/...` are appended to it, so a query or fragment here would be meaningless.
    """
    text = value.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError as exc:
        raise _bad_base_url(value, f"it cannot be parsed ({exc})") from exc
    problem = _base_url_problem(parts.scheme, parts.hostname, parts.query, parts.fragment, parts.username)
    if problem:
        raise _bad_base_url(value, problem)
    netloc = parts.hostname or ""
    if ":" in netloc:  # an IPv6 literal needs its brackets back
        netloc = f"[{netloc}]"
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))


def _base_url_problem(scheme: str, host: str | None, query: str, fragment: str, username: str | None) -> str | None:
    if scheme.lower() not in ("http", "https"):
        return "the scheme must be http or https" if scheme else "it has no http:// or https:// scheme"
    if not host:
        return "it has no host name"
    if username is not None:
        # Credentials in the URL would be logged and sent to proxies; they have their own flags.
        return "it must not contain a user name or password (use --username/--api-key)"
    if query or fragment:
        return "it must not contain a query (?...) or fragment (#...)"
    return None


def _bad_base_url(value: str, problem: str) -> ConnectorError:
    shown = _hide_userinfo(value)
    return ConnectorError(
        grpc.StatusCode.INVALID_ARGUMENT,
        f"baton-confluence: invalid base URL {shown!r}: {problem}; expected {EXPECTED_FORM}",
    )


def _hide_userinfo(value: str) -> str:
    # Never echo a password someone pasted into the URL.
    return _USERINFO.sub("//***@", value)


def api_path(template: str, *segments: str | int) -> str:
    """`template` with `{}` placeholders filled by URL-escaped path segments.

    Group names and space keys can contain `/`, `?`, `#` or spaces; escaping every character
    outside the unreserved set keeps each value inside its own path segment.
    """
    return template.format(*(quote(str(segment), safe="") for segment in segments))


def encode_params(params: QueryParams | None) -> dict[str, str]:
    """Query parameters as strings; `None` values are dropped, booleans become true/false."""
    if not params:
        return {}
    return {name: _encode_value(value) for name, value in params.items() if value is not None}


def _encode_value(value: str | int | bool) -> str:
    # bool before int: True is an int, and the API wants lower-case words.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def safe_query(params: Mapping[str, str]) -> str:
    """A canonical (sorted) query string, secrets hidden: safe to log and to count by."""
    return urlencode(sorted(redact_params(params).items()))


def url_key(method: str, path: str, params: Mapping[str, str]) -> str:
    """`METHOD /path?sorted-query`: how request accounting names one URL."""
    query = safe_query(params)
    return f"{method} {path}?{query}" if query else f"{method} {path}"
