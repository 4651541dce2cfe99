"""The two pagination schemes of Confluence Cloud.

v1 (offset): `start`/`limit` in, {"results", "start", "limit", "size", "_links": {"base",
"context", "next"?, "self"}} out; `_links.next` is relative to the context path and present only
while more results remain. Each endpoint has its own default and maximum `limit`; above the
maximum the limit is clamped and the clamped value echoed (membersByGroupId instead answers 400).

v2 (cursor): `cursor`/`limit` (default 25, 1..250, clamped above) in, {"results", "_links":
{"next"?, "base"}} and a `Link: <next>; rel="next"` header out. Cursors are opaque: here the
base64 of the last key served plus a fingerprint of the filters, so a cursor replayed with other
filters, or one that was tampered with, is refused with 400, like the real API refuses a bad one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any
from urllib.parse import urlencode

from baton_confluence.confluence.simulator.errors import ApiError
from baton_confluence.confluence.simulator.routing import Request

V2_DEFAULT_LIMIT = 25
V2_MAX_LIMIT = 250
CONTEXT_PATH = "/wiki"  # Cloud's context path; a Data Center site passes its own


def _int_param(req: Request, name: str) -> int | None:
    raw = req.param(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ApiError(400, f"Invalid value for parameter '{name}': {raw}") from exc


# --- v1 ------------------------------------------------------------------------------------------


def v1_window(req: Request, default_limit: int, max_limit: int, *, reject_above_max: bool = False) -> tuple[int, int]:
    """(start, limit) of a v1 request, clamped (or refused, for endpoints that refuse) to the max."""
    start = _int_param(req, "start") or 0
    limit = _int_param(req, "limit")
    if start < 0:
        raise ApiError(400, "start must be greater than or equal to 0")
    if limit is None or limit <= 0:
        # limit=0 would make a paging client loop forever; the default is the useful reading.
        limit = default_limit
    if limit > max_limit:
        if reject_above_max:
            raise ApiError(400, f"Limit must be less than or equal to {max_limit}")
        limit = max_limit
    return start, limit


def v1_page(
    req: Request,
    results: list[Any],
    start: int,
    limit: int,
    has_more: bool,
    extra: dict[str, Any] | None = None,
    *,
    context: str = CONTEXT_PATH,
) -> dict[str, Any]:
    base = req.base_url + context
    links: dict[str, str] = {"base": base, "context": context}
    if has_more:
        replace = {"start": str(start + len(results)), "limit": str(limit)}
        links["next"] = _relative(req, replace, context=context)
    links["self"] = base + _strip_context(req.path, context)
    payload: dict[str, Any] = {"results": results, "start": start, "limit": limit, "size": len(results)}
    if extra:
        payload.update(extra)
    payload["_links"] = links
    return payload


# --- v2 ------------------------------------------------------------------------------------------


def v2_limit(req: Request) -> int:
    limit = _int_param(req, "limit")
    if limit is None:
        return V2_DEFAULT_LIMIT
    if limit < 1:
        raise ApiError(400, "limit must be greater than or equal to 1")
    return min(limit, V2_MAX_LIMIT)


def fingerprint(req: Request, names: tuple[str, ...], scope: str = "") -> str:
    """A short digest of the filters that shape a listing (and its scope, e.g. a space id)."""
    parts = [scope] + [f"{n}={','.join(sorted(req.params(n)))}" for n in names]
    return hashlib.sha256("&".join(parts).encode()).hexdigest()[:12]


def encode_cursor(after: int, fp: str) -> str:
    raw = json.dumps({"a": after, "f": fp}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(req: Request, fp: str) -> int | None:
    """The key after which to continue, None for the first page; 400 for a bad cursor."""
    token = req.param("cursor")
    if token is None or token == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        after = data["a"]
        if not isinstance(after, int) or isinstance(after, bool) or data["f"] != fp:
            raise ValueError("cursor does not belong to this listing")
        return after
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "Invalid cursor") from exc


def v2_page(
    req: Request,
    results: list[Any],
    next_after: int | None,
    fp: str,
    limit: int,
    *,
    context: str = CONTEXT_PATH,
) -> tuple[dict[str, Any], dict[str, str]]:
    """(body, headers) of a v2 page; `next_after` is the last key served when more remain."""
    base = req.base_url + context
    links: dict[str, str] = {}
    headers: dict[str, str] = {}
    if next_after is not None:
        nxt = _relative(req, {"cursor": encode_cursor(next_after, fp), "limit": str(limit)}, context=None)
        links["next"] = nxt
        headers["Link"] = f'<{nxt}>; rel="next", <{base}>; rel="base"'
    links["base"] = base
    return {"results": results, "_links": links}, headers


# --- helpers -------------------------------------------------------------------------------------


def _strip_context(path: str, context: str) -> str:
    return path[len(context):] if context and path.startswith(context + "/") else path


def _relative(req: Request, replace: dict[str, str], *, context: str | None) -> str:
    """This request's URL with some parameters replaced.

    v1 next links are relative to the context path ("/rest/api/..."), v2 ones to the host
    ("/wiki/api/v2/...", `context` None), as the two APIs write them.
    """
    query = [(k, v) for k, v in req.query if k not in replace]
    query.extend(replace.items())
    path = req.path if context is None else _strip_context(req.path, context)
    return f"{path}?{urlencode(query)}"
