"""One page of a Confluence listing, and the token that resumes it.

Confluence has two schemes:

- **v1 offset pages** (`start`/`limit`, `/wiki/rest/api/...`): Atlassian's schema declares
  `start`, `limit`, `size` and a free-form `_links`; it does not promise `_links.next`, a site may
  serve fewer items than asked ("may be restricted by fixed system limits"), and Data Center has
  been seen to advance its `next` link by the limit *asked* while serving fewer (which skips
  items). `v1_page` therefore takes the next start from the items received, and the link and the
  echoed `limit` only to decide whether to ask for it (its docstring has the rule; the simulator's
  `PagingSpec` plays each behaviour, simulator/FACTS.md §v1 paging).
- **v2 cursor pages** (`/wiki/api/v2/...`): the next cursor is the `cursor` query parameter of
  `_links.next`, or of the `Link: <...>; rel="next"` header when the body has no link.

Tokens are plain strings so the sync engine can checkpoint them and resume after a restart:
v1 tokens are the decimal `start` offset, v2 tokens the opaque cursor, and '' means done.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import unquote, urlsplit

import grpc
import structlog

from baton_confluence.baton.errors import ConnectorError, RateLimitInfo
from baton_confluence.confluence.client.records import parse_all

log = structlog.get_logger("baton_confluence.confluence.client.pagination")

# `<target>; param; param, <target>; ...`: a target's parameters run until the next `<`.
_LINK_PART = re.compile(r"<([^>]*)>([^<]*)")
_REL = re.compile(r'rel\s*=\s*"?([^";,]*)"?', re.IGNORECASE)


T = TypeVar("T")
R = TypeVar("R")
Raw = dict[str, Any]  # one JSON object of a listing, before it is parsed into a record


@dataclass(frozen=True)
class ListingPage(Generic[T]):
    """One page of a listing: its items (raw JSON objects here, typed records once the API has
    parsed them, client/records.py) and the token of the next page."""

    items: list[T] = field(default_factory=list)
    next_token: str = ""  # '' when this was the last page
    rate_limit: RateLimitInfo | None = None
    # The listing stopped at a fixed offset past which the site serves nothing (Cloud's user
    # search, 10,000): items beyond it exist but cannot be read from this listing.
    ceiling_reached: bool = False


def parsed(page: ListingPage[Raw], parse: Callable[[Raw], R | None]) -> ListingPage[R]:
    """The page with each raw item parsed into its record; items the parser rejects (None) left out."""
    return ListingPage(parse_all(page.items, parse), page.next_token, page.rate_limit, page.ceiling_reached)


async def any_item(fetch: Callable[[str], Awaitable[ListingPage[T]]], matches: Callable[[T], bool]) -> bool:
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


def v1_page(
    data: Any,
    *,
    start: int,
    asked_limit: int,
    rate_limit: RateLimitInfo | None = None,
    ceiling: int | None = None,
) -> ListingPage[Raw]:
    """The page of a v1 body `{"results": [...], "start", "limit"?, "size", "_links": {"next"?}}`.

    The rule, for every v1 listing of both products:

    - the next start is this start plus the number of results received: never the `next` link's
      `start` (Data Center may advance it by the limit asked while serving fewer), never `size`
      or `totalSize` (Cloud's user search reports the page size there);
    - an empty page ends the listing, whatever its links say (a link there would loop);
    - a `_links.next` on a non-empty page means there is more;
    - without one, a *full* page (at least the `limit` the body echoes, or `asked_limit` when it
      echoes none) means there may be more, so the next start is read; a short page ends it.

    `ceiling`: the offset past which the site serves nothing; when the next start reaches it, the
    listing ends with `ceiling_reached` set, so the caller can say the listing is incomplete.
    """
    body = data if isinstance(data, dict) else {}
    raw = body.get("results")
    received = len(raw) if isinstance(raw, list) else 0
    items = _results(body)
    next_start = start + received
    if ceiling is not None and next_start >= ceiling:
        return ListingPage(items, "", rate_limit, ceiling_reached=True)
    if received == 0 or not (_next_link(body) or received >= _page_limit(body, asked_limit)):
        return ListingPage(items, "", rate_limit)
    return ListingPage(items, str(next_start), rate_limit)


def _page_limit(body: dict[str, Any], asked_limit: int) -> int:
    """The page size the site says it served: the echoed `limit`, else the one we asked for."""
    echoed = body.get("limit")
    if isinstance(echoed, int) and not isinstance(echoed, bool) and echoed > 0:
        return echoed
    return asked_limit


def v2_page(
    data: Any, headers: Mapping[str, str], *, cursor: str, rate_limit: RateLimitInfo | None = None
) -> ListingPage[Raw]:
    """The page of a v2 body `{"results": [...], "_links": {"next": "/wiki/api/v2/...?cursor=..."}}`."""
    body = data if isinstance(data, dict) else {}
    next_link = _next_link(body) or link_header_next(headers.get("link", ""))
    next_cursor = _query_str(next_link, "cursor") if next_link else ""
    if next_cursor and next_cursor == cursor:
        log.warning("confluence_pagination_stalled", cursor=cursor[:40])
        next_cursor = ""
    return ListingPage(_results(body), next_cursor, rate_limit)


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
