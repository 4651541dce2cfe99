"""The review page in a real headless Chromium: search for an account, open a space; what the
page shows is checked against the simulated site's own state. Screenshots are kept under
test-artifacts/ (gitignored)."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.e2e.cli import run_cli
from tests.inspect.conftest import SyncedSite
from tests.inspect.oracle import DIRECT, routes, routes_of
from tests.inspect.page import ARTIFACTS, body_data, element, header_cells, refs, render, table_rows, text


@pytest.fixture(scope="module")
def page(synced_site: SyncedSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("review-page")
    result = run_cli(["inspect", "report", str(synced_site.path), "-o", "access.html"], folder)
    assert result.returncode == 0, result.stderr
    return folder / "access.html"


def test_searching_an_account_shows_its_access(synced_site: SyncedSite, page: Path) -> None:
    state = synced_site.state
    names = Counter(u.display_name for u in state.users.values())
    # Someone whose name is theirs alone and who holds access both ways, directly and via groups.
    account = next(
        u
        for u in state.users.values()
        if names[u.display_name] == 1
        and {r.via == DIRECT for r in routes_of(state, f"user:{u.account_id}") if r.entitlement.startswith("space:")} == {True, False}
    )
    query = account.display_name
    shot = ARTIFACTS / "report-account-search.png"
    shown = render(page, f"tab=accounts&q={quote(query)}", screenshot=shot)
    dom = shown.dom
    assert body_data(dom)["ready"] == "accounts"
    assert text(element(dom, "account-count")) == "1 accounts"
    assert text(element(dom, "account-title")) == f"{account.display_name} user:{account.account_id}"

    want: dict[tuple[str, str], list[str]] = defaultdict(list)
    group_names = {f"group:{g.id}": g.name for g in state.groups.values()}
    for r in sorted(routes_of(state, f"user:{account.account_id}"), key=lambda r: r.via):
        owner = ":".join(r.entitlement.split(":")[:2])
        slug = r.entitlement.split(":")[2]
        want[(owner, slug)].append("direct" if r.via == DIRECT else f"via {group_names[r.via]}")
    got = {}
    for resource_cell, slug_cell, how_cell in table_rows(dom, "access"):
        got[(refs(resource_cell)[0], text(slug_cell))] = text(how_cell)
    # "direct" first, then the groups in the order of their membership entitlement ids
    assert got == {k: ", ".join(v) for k, v in want.items()}
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_space_shows_who_can_do_what(synced_site: SyncedSite, page: Path) -> None:
    state = synced_site.state
    every = routes(state)
    by_space: dict[str, set[str]] = defaultdict(set)
    for r in every:
        if r.entitlement.startswith("space:"):
            by_space[":".join(r.entitlement.split(":")[:2])].add(r.via)
    # a space where some hold access directly and some via a group
    space = sorted(s for s, vias in by_space.items() if DIRECT in vias and len(vias) > 1)[0]
    dom = render(page, f"resource={quote(space)}", screenshot=ARTIFACTS / "report-space.png").dom
    assert body_data(dom)["ready"] == "resource"
    columns = header_cells(dom, "matrix")[1:]
    marks = {}
    for row in table_rows(dom, "matrix"):
        principal = refs(row[0])[0]
        for slug, cell in zip(columns, row[1:], strict=True):
            if text(cell):
                marks[(principal, slug)] = text(cell)
    want: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in every:
        if r.entitlement.startswith(space + ":"):
            want[(r.principal, r.entitlement.split(":")[2])].add("D" if r.via == DIRECT else "G")
    assert marks == {k: "D+G" if v == {"D", "G"} else v.pop() for k, v in want.items()}
