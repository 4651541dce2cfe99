"""Reading a review page in tests: its embedded blocks decoded with plain base64/gzip, and the
markup a real browser rendered from it (tests/baton/inspect/browser.py)."""

from __future__ import annotations

import base64
import gzip
import html
import json
import re
import struct
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
_BLOCK = re.compile(r'<script type="application/gzip-base64" id="([^"]+)"[^>]*>([^<]*)</script>')


def blocks(page: str) -> dict[str, bytes]:
    return {m.group(1): gzip.decompress(base64.b64decode(m.group(2))) for m in _BLOCK.finditer(page)}


def meta(page: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(blocks(page)["meta"])
    return value


def triples(page: str) -> list[tuple[int, int, int]]:
    found = blocks(page)
    out: list[tuple[int, int, int]] = []
    for b in range(len(meta(page)["blocks"])):
        raw = found[f"grants-{b}"]
        out += list(struct.iter_unpack("<iii", raw))
    return out


def element(dom: str, element_id: str) -> str:
    """The inner HTML of the element with this id (the page's own markup, without nesting tricks)."""
    m = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', dom, re.S)
    assert m, f"no element #{element_id} in the rendered page"
    return m.group(2)


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def table_rows(dom: str, css_class: str) -> list[list[str]]:
    """Cells (inner HTML) of each body row of the rendered table with this class."""
    m = re.search(rf'<table class="{css_class}">(.*?)</table>', dom, re.S)
    assert m, f"no table.{css_class} in the rendered page"
    body = m.group(1).split("<tbody>", 1)[1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def header_cells(dom: str, css_class: str) -> list[str]:
    m = re.search(rf'<table class="{css_class}"><thead><tr>(.*?)</tr></thead>', dom, re.S)
    assert m
    return [text(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", m.group(1), re.S)]


def refs(cell: str) -> list[str]:
    """The `type:id` of every link in a cell (the page marks each with data-ref)."""
    return [html.unescape(r) for r in re.findall(r'data-ref="([^"]*)"', cell)]
