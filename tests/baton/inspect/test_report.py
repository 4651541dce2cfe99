"""`inspect report`: the page's embedded data (decoded here independently) and its highlights."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from baton_confluence.baton.c1z import C1ZReader
from baton_confluence.baton.inspect import report
from baton_confluence.baton.inspect.access import Holding, ResourceRef, Via
from baton_confluence.baton.inspect.review import ReviewRules, ReviewTally
from tests.baton.inspect.conftest import SyncedSite
from tests.baton.inspect.handmade import Handmade
from tests.baton.inspect.oracle import DIRECT, Route, routes
from tests.baton.inspect.page import blocks, meta, triples
from tests.e2e.cli import run_cli

RULES = ReviewRules(
    admin_slugs=frozenset({"administer-space"}), open_access_types=frozenset({"access_class"}), many_admin_threshold=2
)


def page_routes(page: str) -> set[Route]:
    m = meta(page)
    ref = lambda n: f"{m['types'][m['nodes'][n][0]]}:{m['nodes'][n][1]}"  # noqa: E731
    out = set()
    for e, p, code in triples(page):
        entitlement = m["entitlements"][e][2]
        if code <= 0:
            out.add(Route(ref(p), entitlement, DIRECT))
        if code != 0:
            for source in m["vias"][abs(code) - 1]:
                out.add(Route(ref(p), entitlement, ref(m["entitlements"][source][0])))
    return out


def named(page: str, items: list[list[object]]) -> list[list[object]]:
    """Highlight rows with node indexes replaced by `type:id`."""
    m = meta(page)

    def ref(n: object) -> str:
        assert isinstance(n, int)
        return f"{m['types'][m['nodes'][n][0]]}:{m['nodes'][n][1]}"

    return [[ref(x) if i == 0 else x for i, x in enumerate(row)] for row in items]


def test_highlights_and_changes_of_a_hand_made_file(handmade: Handmade, tmp_path: Path) -> None:
    out = tmp_path / "access.html"
    with C1ZReader.open(handmade.path) as reader:
        line = report.write_report(reader, out, RULES)
    page = out.read_text(encoding="utf-8")
    assert line.startswith(f"wrote {out} (") and "8 grants in 1 blocks" in line
    m = meta(page)
    h = m["highlights"]
    ref = lambda n: f"{m['types'][m['nodes'][n][0]]}:{m['nodes'][n][1]}"  # noqa: E731
    assert named(page, h["inactive"]) == [["user:gone", 1]]
    assert [(ref(p), [ref(r) for r in rs]) for p, rs in h["serviceAdmins"]] == [("user:bot", ["space:s1", "space:s2"])]
    assert [(ref(r), ref(w), slugs) for r, w, slugs in h["open"]] == [
        ("space:s2", "access_class:anonymous-users", ["read-space"])
    ]
    assert named(page, h["manyAdmins"]) == [["user:bot", 2]]
    assert named(page, h["directUsers"]) == [["user:bot", 2], ["user:ada", 1], ["user:carol", 1], ["user:gone", 1]]
    changes = m["changes"]
    assert (changes["from"], changes["to"]) == (handmade.first_sync, handmade.second_sync)
    assert changes["resources_added"] == {"count": 1, "ids": ["user:carol"], "labels": ["Carol Shaw"]}
    assert changes["resources_removed"] == {"count": 1, "ids": ["user:bob"], "labels": ["Bob Dylan"]}
    assert changes["grants_removed"] == {
        "count": 2,
        "ids": ["group:eng:member:user:bob", "space:s1:read-space:user:bob"],
        "labels": ["Bob Dylan — member on Engineers", "Bob Dylan — read-space on Handbook"],
    }
    assert changes["grants_added"]["labels"] == ["Carol Shaw — read-space on Operations"]
    assert page_routes(page) == {
        Route("user:ada", "group:eng:member", DIRECT),
        Route("group:eng", "space:s1:read-space", DIRECT),
        Route("user:ada", "space:s1:read-space", DIRECT),
        Route("user:ada", "space:s1:read-space", "group:eng"),
        Route("user:bot", "space:s1:administer-space", DIRECT),
        Route("user:bot", "space:s2:administer-space", DIRECT),
        Route("access_class:anonymous-users", "space:s2:read-space", DIRECT),
        Route("user:gone", "space:s2:read-space", DIRECT),
        Route("user:carol", "space:s2:read-space", DIRECT),
    }


def test_the_page_is_self_contained(handmade: Handmade, tmp_path: Path) -> None:
    out = tmp_path / "access.html"
    with C1ZReader.open(handmade.path) as reader:
        report.write_report(reader, out, RULES)
    page = out.read_text(encoding="utf-8")
    outside_data = re.sub(r'(<script type="application/gzip-base64"[^>]*>)[^<]*', r"\1", page)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|\bsrc=|<link\b|@import|url\(", outside_data, re.I)
    assert "default-src 'none'" in page  # the page itself forbids any fetch
    assert set(blocks(page)) == {"meta", "grants-0"}


def test_blocks_of_a_synced_site_hold_every_route_the_site_grants(synced_site: SyncedSite, tmp_path: Path) -> None:
    result = run_cli(["inspect", "report", str(synced_site.path), "-o", "review.html"], tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "review.html").read_text(encoding="utf-8")
    assert page_routes(page) == routes(synced_site.state)
    m = meta(page)
    assert m["changes"] is None  # one sync only
    assert sum(b["count"] for b in m["blocks"]) == m["grants"]


def test_grants_are_split_into_blocks_by_entitlement_range(
    handmade: Handmade, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "access.html"
    monkeypatch.setattr(report, "GRANTS_PER_BLOCK", 3)
    with C1ZReader.open(handmade.path) as reader:
        report.write_report(reader, out, RULES)
    page = out.read_text(encoding="utf-8")
    m = meta(page)
    assert [b["count"] for b in m["blocks"]] == [3, 3, 2]
    found = blocks(page)
    for b, info in enumerate(m["blocks"]):
        ents = [e for e, _, _ in struct.iter_unpack("<iii", found[f"grants-{b}"])]
        assert (min(ents), max(ents)) == (info["first"], info["last"])
    assert len(page_routes(page)) == 9


def test_the_command_line_rules_and_errors(handmade: Handmade, tmp_path: Path) -> None:
    """The command line passes Confluence's rules (administer-space, access classes) and --many."""
    made = run_cli(["inspect", "report", str(handmade.path), "-o", "review.html", "--many", "2"], tmp_path)
    assert made.returncode == 0, made.stderr
    h = meta((tmp_path / "review.html").read_text(encoding="utf-8"))["highlights"]
    assert (h["adminSlugs"], h["manyThreshold"], len(h["manyAdmins"]), len(h["open"])) == (
        ["administer-space"],
        2,
        1,
        1,
    )
    bad = run_cli(["inspect", "report", str(handmade.path), "-o", "other.html", "--many", "0"], tmp_path)
    assert bad.returncode == 2 and bad.stderr == "error: --many must be at least 1\n"
    assert not (tmp_path / "other.html").exists()


def test_many_admins_counts_accounts_not_groups() -> None:
    tally = ReviewTally(RULES, user_types=frozenset({"user"}), membership_types=frozenset({"group"}))
    for principal, via in (
        (ResourceRef("group", "admins"), ()),
        (ResourceRef("user", "ada"), ("group:admins:member",)),
    ):
        for space in ("s1", "s2"):
            tally.add(
                Holding(
                    grant_id=f"space:{space}:administer-space:{principal}",
                    entitlement_id=f"space:{space}:administer-space",
                    slug="administer-space",
                    resource=ResourceRef("space", space),
                    principal=principal,
                    direct=not via,
                    via=tuple(Via(v, ResourceRef("group", "admins")) for v in via),
                )
            )
    assert tally.many_admins() == [(ResourceRef("user", "ada"), 2)]
    assert tally.direct_users() == []  # ada holds them via the group only
