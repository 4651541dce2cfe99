"""One page of a Confluence listing, and the token that resumes it.

Confluence has two schemes:

- **v1 offset pages** (`start`/`limit`, `/wiki/rest/api/...`): a next page exists only when the
  body's `_links.next` is present. Its `start` comes from that link's query (falling back to
  `start + size`). A short page does *not* mean the end: the site may cap `limit` below what
  was asked.
- **v2 cursor pages** (`/wiki/api/v2/...`): the next cursor is the `cursor` query parameter of
  `_links.next`, or of the `Link: <...>; rel="next"` header when the body has no link.

Tokens are plain strings so the sync engine can checkpoint them and resume after a restart:
v1 tokens are the decimal `start` offset, v2 tokens the opaque cursor, and '' means done.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import grpc
import structlog

from baton_confluence.baton.errors import ConnectorError, RateLimitInfo

log = structlog.get_logger("baton_confluence.confluence.client.pagination")

# `<target>; param; param, <target>; ...`: a target's parameters run until the next `<`.
_LINK_PART = re.compile(r"<([^>]*)>([^<]*)")
_REL = re.compile(r'rel\s*=\s*"?([^";,]*)"?', re.IGNORECASE)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_token: str = ""  # '' when this was the last page
    rate_limit: RateLimitInfo | None = None


async def any_item(fetch: Callable[[str], Awaitable[Page]], matches: Callable[[dict[str, Any]], bool]) -> bool:
    """Whether some item of a listing matches, reading pages only until the first match."""
    token = ""
    while True:
        page = await fetch(token)
        if any(matches(item) for item in page.items):
            return True
        if not page.next_token:
            return False
        token = page.next_token


def v1_start(token: str) -> int:
    """The `start` offset a v1 token stands for ('' is the first page)."""
    if not token:
        return 0
    if not token.isdecimal():
        raise ConnectorError(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"baton-confluence: invalid page token {token[:40]!r}: expected a decimal offset",
        )
    return int(token)


def v1_page(data: Any, *, start: int, rate_limit: RateLimitInfo | None = None) -> Page:
    """Page from a v1 body `{"results": [...], "size": n, "_links": {"next": ...}}`."""
    body = data if isinstance(data, dict) else {}
    items = _results(body)
    next_link = _next_link(body)
    if not next_link:
        return Page(items, "", rate_limit)
    reported = body.get("size")
    size = reported if isinstance(reported, int) else len(items)
    next_start = _query_int(next_link, "start")
    if next_start is None or next_start <= start:
        next_start = start + size
    if next_start <= start:
        # A next link on an empty page would loop forever; the engine needs a changing token.
        log.warning("confluence_pagination_stalled", start=start, next=next_link[:200])
        return Page(items, "", rate_limit)
    return Page(items, str(next_start), rate_limit)


def v2_page(data: Any, headers: Mapping[str, str], *, cursor: str, rate_limit: RateLimitInfo | None = None) -> Page:
    """Page from a v2 body `{"results": [...], "_links": {"next": "/wiki/api/v2/...?cursor=..."}}`."""
    body = data if isinstance(data, dict) else {}
    next_link = _next_link(body) or link_header_next(headers.get("link", ""))
    next_cursor = _query_str(next_link, "cursor") if next_link else ""
    if next_cursor and next_cursor == cursor:
        log.warning("confluence_pagination_stalled", cursor=cursor[:40])
        next_cursor = ""
    return Page(_results(body), next_cursor, rate_limit)


def link_header_next(value: str) -> str:
    """The target of the `rel="next"` entry of an RFC 8288 Link header, or ''."""
    for match in _LINK_PART.finditer(value):
        target, attributes = match.group(1), match.group(2)
        rel = _REL.search(attributes)
        if rel and "next" in rel.group(1).lower().split():
            return target.strip()
    return ""


def _results(body: dict[str, Any]) -> list[dict[str, Any]]:
    results = body.get("results")
    if not isinstance(results, list):
        return []
    return [item for item in results if isinstance(item, dict)]


def _next_link(body: dict[str, Any]) -> str:
    links = body.get("_links")
    if not isinstance(links, dict):
        return ""
    value = links.get("next")
    return value if isinstance(value, str) else ""


def _query_str(link: str, name: str) -> str:
    """A query parameter of `link`, percent-decoded.

    Not `parse_qs`: it turns `+` into a space, which would corrupt a base64 cursor that the
    server left unescaped.
    """
    for pair in urlsplit(link).query.split("&"):
        key, _, value = pair.partition("=")
        if unquote(key) == name:
            return unquote(value)
    return ""


def _query_int(link: str, name: str) -> int | None:
    value = _query_str(link, name)
    return int(value) if value.isdecimal() else None
