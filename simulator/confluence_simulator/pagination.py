"""The two pagination schemes of Confluence Cloud.

v1 (offset): `start`/`limit` in, {"results", "start", "limit", "size", "_links": {"base",
"context", "next"?, "self"}} out; `_links.next` is relative to the context path and present only
while more results remain. Each endpoint has its own default and maximum `limit`; above the
maximum the limit is clamped and the clamped value echoed (membersByGroupId instead answers 400).
The site's `PagingSpec` (paging_spec.py) can take `next` away, cap pages lower, leave `limit` out,
corrupt `totalSize` and make Data Center's `next` skip ahead: `v1_window` and `v1_page` apply it,
so every v1 listing honours it the same way.

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
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from confluence_simulator.errors import ApiError
from confluence_simulator.paging_spec import DC_V1_LISTINGS, PagingSpec
from confluence_simulator.routing import Request

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


@dataclass(frozen=True)
class V1Window:
    """Which slice of a v1 listing one request reads."""

    start: int
    limit: int  # most items this page serves: the asked limit, clamped to the endpoint's max and the page cap
    asked: int  # the asked limit clamped to the endpoint's max only (what an uncapped page would serve)

    @property
    def end(self) -> int:
        return self.start + self.limit


def v1_window(
    req: Request, default_limit: int, max_limit: int, *, paging: PagingSpec, reject_above_max: bool = False
) -> V1Window:
    """The window of a v1 request, clamped (or refused, for endpoints that refuse) to the max."""
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
    served = limit if paging.page_cap is None else min(limit, paging.page_cap)
    return V1Window(start, served, limit)


def v1_page(
    req: Request,
    results: list[Any],
    window: V1Window,
    has_more: bool,
    extra: dict[str, Any] | None = None,
    *,
    listing: str,
    paging: PagingSpec,
    total: int | None = None,
    context: str = CONTEXT_PATH,
) -> dict[str, Any]:
    """The body of one v1 page of `listing` (a paging_spec name), shaped as `paging` says.

    `has_more`: whether results remain after this page. `total`: the listing's real length, from
    which a wrong `totalSize` is made when `extra` carries one and `paging.wrong_total_size` is set.
    """
    base = req.base_url + context
    links: dict[str, str] = {"base": base, "context": context}
    if has_more and listing in paging.next_links:
        links["next"] = _relative(req, _next_query(results, window, listing, paging), context=context)
    links["self"] = base + _strip_context(req.path, context)
    payload: dict[str, Any] = {"results": results, "start": window.start}
    if paging.echo_limit:
        payload["limit"] = window.limit
    payload["size"] = len(results)
    if extra:
        payload.update(extra)
    if paging.wrong_total_size and "totalSize" in payload and total is not None:
        payload["totalSize"] = total // 2
    payload["_links"] = links
    return payload


def _next_query(results: list[Any], window: V1Window, listing: str, paging: PagingSpec) -> dict[str, str]:
    if paging.dc_next_advances_by_asked and listing in DC_V1_LISTINGS:
        # The Data Center behaviour: the link moves on by what was asked, skipping what the cap held back.
        return {"start": str(window.start + window.asked), "limit": str(window.asked)}
    return {"start": str(window.start + len(results)), "limit": str(window.limit)}


# --- v2 ------------------------------------------------------------------------------------------


def v2_limit(req: Request, cap: int | None = None) -> int:
    """The page size to serve: the asked limit (default 25) clamped to 250, then to `cap`
    (`PagingSpec.v2_page_cap`) when one is set."""
    limit = _int_param(req, "limit")
    if limit is None:
        limit = V2_DEFAULT_LIMIT
    elif limit < 1:
        raise ApiError(400, "limit must be greater than or equal to 1")
    return min(limit, V2_MAX_LIMIT, cap or V2_MAX_LIMIT)


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
