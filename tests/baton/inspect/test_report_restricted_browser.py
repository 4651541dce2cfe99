"""The review page's Restricted content tab in a real headless Chromium, against the simulated
site's own state: every restricted item of every space, how many can view it, who is blocked."""

from __future__ import annotations

from pathlib import Path

from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator.content_spec import ContentSpec

from tests.baton.inspect import test_report_browser
from tests.baton.inspect.browser import Browser
from tests.baton.inspect.page import ARTIFACTS, refs, table_rows, text
from tests.baton.sync.c1z_rows import synced
from tests.e2e.cli import run_cli, site_env
from tests.e2e.restricted_expected import effective_viewers

SPEC = SiteSpec(seed=23, users=30, groups=6, spaces=4, permissions_per_space=8,
                content=ContentSpec(pages_per_space=25, blogposts_per_space=3, restricted_fraction=0.3))


browser = test_report_browser.browser  # the same fixture: Chromium, or a visible skip


def test_the_restricted_tab_lists_each_item_with_its_viewers(tmp_path: Path, browser: Browser) -> None:
    with SimulatedSite(SPEC) as site:
        assert run_cli(["--sync-restricted-content"], tmp_path, site_env(site)).returncode == 0
        state = site.state
    assert run_cli(["inspect", "report", "sync.c1z", "-o", "access.html"], tmp_path).returncode == 0
    rows = synced(tmp_path / "sync.c1z")
    everyone = {k.removeprefix("user:") for k in rows["resources"] if k.startswith("user:")}
    content_ids = {k for k in rows["resources"] if k.startswith(("page:", "blogpost:"))}
    want = effective_viewers(state, everyone, content_ids)

    browser.open((tmp_path / "access.html").resolve().as_uri() + "#tab=restricted")
    browser.wait_for("document.body && document.body.dataset.ready === 'restricted'")
    assert browser.evaluate("document.getElementById('restricted-tab').hidden") is False
    browser.screenshot(ARTIFACTS / "report-restricted.png")
    dom = browser.html("#restricted")
    opening = '<table class="restricted">'
    tables = [opening + part for part in dom.split(opening)[1:]]  # one table per space
    assert len(tables) == len({state.content.by_id[int(k.split(":")[1])].space_id for k in want})
    got = {}
    for item, _layers, viewers, blocked in (row for table in tables for row in table_rows(table, "restricted")):
        count = text(viewers).split()[0] if text(viewers) else "0"
        got[refs(item)[0]] = (int(count.replace(",", "")), set(refs(blocked)))
    assert got == {key: (len(viewers), blocked) for key, (viewers, blocked) in want.items()}
