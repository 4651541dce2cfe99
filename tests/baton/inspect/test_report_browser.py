"""The review page in a real headless Chromium: a reviewer types an account's name into the
search box, or follows a link to a space; what the page shows is checked against the simulated
site's own state. Screenshots are kept under test-artifacts/ (gitignored)."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.baton.inspect.browser import Browser, BrowserError, chromium
from tests.baton.inspect.conftest import SyncedSite
from tests.baton.inspect.oracle import DIRECT, routes, routes_of
from tests.baton.inspect.page import ARTIFACTS, element, header_cells, refs, table_rows, text
from tests.e2e.cli import run_cli
from tests.e2e.expected import ENABLED, expected


@pytest.fixture(scope="module")
def page(synced_site: SyncedSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("review-page")
    result = run_cli(["inspect", "report", str(synced_site.path), "-o", "access.html"], folder)
    assert result.returncode == 0, result.stderr
    return folder / "access.html"


@pytest.fixture
def browser() -> Iterator[Browser]:
    # `make test` installs Chromium where it can (root with apt-get); elsewhere these tests are
    # skipped, visibly, except in CI, where a missing browser is a failure.
    if not os.environ.get("CI"):
        try:
            chromium()
        except BrowserError as err:
            pytest.skip(str(err))
    with Browser() as b:
        yield b


def wait_ready(browser: Browser, view: str, after: int = 0) -> None:
    """Until the page says it has drawn `view` for a change later than `after` (body[data-gen])."""
    browser.wait_for(
        f"document.body && document.body.dataset.ready === {view!r} && Number(document.body.dataset.gen) > {after}"
    )


def generation(browser: Browser) -> int:
    return int(browser.evaluate("Number(document.body.dataset.gen || 0)"))


def test_searching_an_account_shows_its_access(synced_site: SyncedSite, page: Path, browser: Browser) -> None:
    state = synced_site.state
    names = Counter(u.display_name for u in state.users.values())
    # Someone whose name is theirs alone and who holds space access both directly and via groups.
    account = next(
        u
        for u in state.users.values()
        if names[u.display_name] == 1
        and {r.via == DIRECT for r in routes_of(state, f"user:{u.account_id}") if r.entitlement.startswith("space:")}
        == {True, False}
    )
    browser.open(page.resolve().as_uri())
    wait_ready(browser, "highlights")
    browser.evaluate("document.querySelector('nav a[data-tab=accounts]').click()")
    wait_ready(browser, "accounts")
    before = generation(browser)
    browser.type_into("#account-q", account.display_name)
    wait_ready(browser, "accounts", after=before)
    browser.screenshot(ARTIFACTS / "report-account-search.png")

    dom = browser.html("#accounts")
    assert text(element(dom, "account-count")) == "1 accounts"
    assert text(element(dom, "account-title")) == f"{account.display_name} user:{account.account_id}"
    want: dict[tuple[str, str], list[str]] = defaultdict(list)
    group_names = {f"group:{g.id}": g.name for g in state.groups.values()}
    # "direct" first, then the groups in the order of their ids (as the page lists them)
    for r in sorted(routes_of(state, f"user:{account.account_id}"), key=lambda r: r.via):
        owner, slug = r.entitlement.rsplit(":", 1)
        want[(owner, slug)].append("direct" if r.via == DIRECT else f"via {group_names[r.via]}")
    got = {(refs(resource)[0], text(slug)): text(how) for resource, slug, how in table_rows(dom, "access")}
    assert got == {k: ", ".join(v) for k, v in want.items()}

    # the account's access, filtered to what it holds directly
    before = generation(browser)
    browser.evaluate(
        "(() => { const s = document.querySelector('#access-how'); s.value = 'direct'; s.dispatchEvent(new Event('change')); })()"
    )
    wait_ready(browser, "account", after=before)
    dom = browser.html("#accounts")
    direct = {(refs(resource)[0], text(slug)) for resource, slug, _ in table_rows(dom, "access")}
    assert direct == {k for k, v in want.items() if "direct" in v}
    assert text(element(dom, "access-count")) == f"{len(direct)} shown"


def test_a_space_shows_who_can_do_what(synced_site: SyncedSite, page: Path, browser: Browser) -> None:
    every = routes(synced_site.state)
    by_space: dict[str, set[str]] = defaultdict(set)
    for r in every:
        if r.entitlement.startswith("space:"):
            by_space[r.entitlement.rsplit(":", 1)[0]].add(r.via)
    # a space some hold directly and some via a group
    space = sorted(s for s, vias in by_space.items() if DIRECT in vias and len(vias) > 1)[0]
    browser.open(page.resolve().as_uri() + "#resource=" + quote(space))
    wait_ready(browser, "resource")
    browser.screenshot(ARTIFACTS / "report-space.png")
    dom = browser.html("#resource-detail")
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
            want[(r.principal, r.entitlement.rsplit(":", 1)[1])].add("D" if r.via == DIRECT else "G")
    assert marks == {k: "D+G" if v == {"D", "G"} else next(iter(v)) for k, v in want.items()}


def test_the_highlights_name_the_inactive_accounts(synced_site: SyncedSite, page: Path, browser: Browser) -> None:
    holders = {r.principal for r in routes(synced_site.state)}
    statuses = expected(synced_site.state).users
    inactive = {f"user:{a}" for a, (status, _) in statuses.items() if status != ENABLED and f"user:{a}" in holders}
    assert inactive, "the simulated site has deactivated accounts that hold access"
    browser.open(page.resolve().as_uri())
    wait_ready(browser, "highlights")
    browser.screenshot(ARTIFACTS / "report-highlights.png")
    rows = table_rows(browser.html("#highlights"), "inactive")
    assert {refs(row[0])[0]: text(row[1]) for row in rows} == {
        p: statuses[p.removeprefix("user:")][0] for p in inactive
    }
