"""The dormant-account highlights and the site's global permissions as headless Chromium draws
them, checked against tests/baton/inspect/activity_oracle.py; screenshots under test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.baton.inspect import activity_oracle as oracle
from tests.baton.inspect.browser import Browser
from tests.baton.inspect.handmade_activity import ACCOUNTS, ENDED, GROUPS, write_activity
from tests.baton.inspect.page import ARTIFACTS, element, refs, table_rows, text
from tests.baton.inspect.test_report_browser import browser, wait_ready
from tests.e2e.cli import run_cli

__all__ = ["browser"]  # the fixture, shared with the other browser tests


def made_page(folder: Path, *, with_dates: bool = True) -> Path:
    write_activity(folder / "sync.c1z", with_dates=with_dates)
    result = run_cli(["inspect", "report", "sync.c1z", "-o", "access.html"], folder)
    assert result.returncode == 0, result.stderr
    return folder / "access.html"


@pytest.fixture
def highlights(tmp_path: Path, browser: Browser) -> Iterator[str]:
    browser.open(made_page(tmp_path).resolve().as_uri())
    wait_ready(browser, "highlights")
    browser.evaluate("document.getElementById('h-dormant-admins').scrollIntoView()")
    browser.screenshot(ARTIFACTS / "report-dormant-admins.png")
    yield browser.html("#highlights")


def last_active(account: str) -> str:
    found = next(a for a in ACCOUNTS if f"user:{a.id}" == account).last_active
    return found.strftime("%Y-%m-%d") if found else "never"


def test_dormant_administrators_and_accounts_are_drawn(highlights: str) -> None:
    rows = table_rows(highlights, "dormant-admins")
    assert [(refs(r[0])[0], text(r[1]), set(refs(r[2]))) for r in rows] == [
        (who, last_active(who), resources) for who, resources in oracle.dormant_admins(90)
    ]
    rows = table_rows(highlights, "dormant")
    assert [(refs(r[0])[0], text(r[1]), int(text(r[2]))) for r in rows] == [
        (who, last_active(who), grants) for who, grants in oracle.dormant(90)
    ]
    summary = text(highlights.split("</ul>", 1)[0])
    assert f"{len(oracle.dormant_admins(90))} dormant administrators (no activity for 90 days" in summary
    assert f"before the sync ended ({ENDED:%Y-%m-%d}), or never" in summary


def test_the_site_section_names_who_can_administer_and_how(highlights: str) -> None:
    names = {f"group:{g}": name for g, (name, _) in GROUPS.items()}
    dormant = {who for who, _ in oracle.dormant(90)}
    got = {(refs(r[0])[0], text(r[1])): (text(r[2]), text(r[3])) for r in table_rows(highlights, "site-admins")}
    want = {
        key: (
            ", ".join(sorted("direct" if v == oracle.DIRECT else f"via {names[v]}" for v in vias)),
            last_active(key[0]) + (" dormant" if key[0] in dormant else ""),
        )
        for key, vias in oracle.site_admin_routes().items()
    }
    assert got == want
    permissions = {
        text(r[0]): (int(text(r[1])), set(refs(r[2])), text(r[3])) for r in table_rows(highlights, "site-permissions")
    }
    assert permissions == {
        "create-space": (0, set(), ""),
        **{
            slug: (len(accounts), direct, ", ".join(f"{names[g]} ({n})" for g, n in sorted(via.items())))
            for slug, (accounts, direct, via) in oracle.site_permissions().items()
        },
    }


def test_without_dates_the_page_says_they_were_not_synced(tmp_path: Path, browser: Browser) -> None:
    browser.open(made_page(tmp_path, with_dates=False).resolve().as_uri())
    wait_ready(browser, "highlights")
    dom = browser.html("#highlights")
    assert text(element(dom, "activity-missing")).startswith("last activity not synced (--last-activity)")
    assert 'class="dormant' not in dom
