"""Issue 20 on the reviewer's side: last-active dates in access/export, dormant accounts, dormant
administrators and the site's global permissions on the review page, against a hand-made file
whose answers tests/baton/inspect/activity_oracle.py works out from its tables."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from baton_confluence.baton.c1z import C1ZReader, SyncRun
from baton_confluence.baton.inspect import AccessView, ResourceRef, dormancy, export, lookups, report
from baton_confluence.baton.inspect.access import AccountType, Holding, ResourceInfo, Status
from baton_confluence.baton.inspect.review import ReviewRules
from baton_confluence.baton.inspect.site_review import SiteTally
from tests.baton.inspect import activity_oracle as oracle
from tests.baton.inspect.handmade_activity import ACCOUNTS, ENDED, write_activity
from tests.baton.inspect.page import meta
from tests.e2e.cli import run_cli

RULES = ReviewRules(
    admin_slugs=frozenset({"administer-space"}),
    open_access_types=frozenset({"access_class"}),
    site_types=frozenset({"site"}),
    activity_option="--last-activity",
)
RFC3339 = "%Y-%m-%dT%H:%M:%SZ"


@pytest.fixture
def activity_file(tmp_path: Path) -> Path:
    path = tmp_path / "sync.c1z"
    write_activity(path)
    return path


def review(path: Path, rules: ReviewRules = RULES) -> dict[str, Any]:
    out = path.parent / "review.html"
    with C1ZReader.open(path) as reader:
        report.write_report(reader, out, rules)
    return meta(out.read_text(encoding="utf-8"))


def ref_of(m: dict[str, Any], n: int) -> str:
    return f"{m['types'][m['nodes'][n][0]]}:{m['nodes'][n][1]}"


def expected_date(account_id: str) -> str:
    found = next(a for a in ACCOUNTS if a.id == account_id).last_active
    return found.strftime(RFC3339) if found else ""


@pytest.mark.parametrize("days", [1, 90, 100, 250])
def test_dormant_accounts_and_administrators(activity_file: Path, days: int) -> None:
    m = review(activity_file, ReviewRules(**{**RULES.__dict__, "dormant_days": days}))
    h = m["highlights"]
    assert h["activity"] == {
        "synced": True,
        "now": ENDED.strftime(RFC3339),  # the sync's end, not the wall clock
        "days": days,
        "option": "--last-activity",
    }
    assert [(ref_of(m, n), count) for n, count in h["dormant"]] == oracle.dormant(days)
    got_admins = [(ref_of(m, n), {ref_of(m, r) for r in rs}) for n, rs in h["dormantAdmins"]]
    assert got_admins == oracle.dormant_admins(days)
    if days == 90:  # the tables were made so that the default threshold finds both kinds of dormant administrator
        assert {who for who, _ in got_admins} == {"user:bob", "user:carol"}
    for n, _ in h["dormant"]:  # each dormant account's date travels in its node (never: no 8th field)
        assert (m["nodes"][n][7] if len(m["nodes"][n]) > 7 else "") == expected_date(m["nodes"][n][1])


def test_a_file_without_dates_flags_no_one_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    write_activity(path, with_dates=False)
    h = review(path)["highlights"]
    assert (h["activity"]["synced"], h["dormant"], h["dormantAdmins"]) == (False, [], [])


def test_the_site_permissions_and_who_administers_the_site(activity_file: Path) -> None:
    m = review(activity_file)
    site = m["highlights"]["site"]
    assert [ref_of(m, n) for n in site["resources"]] == ["site:cloud-1"]
    got = {}
    for e, accounts, direct, direct_total, groups in site["permissions"]:
        assert direct_total == len(direct)
        got[m["entitlements"][e][1]] = ({ref_of(m, n) for n in direct}, {ref_of(m, g): c for g, c in groups}, accounts)
    want = oracle.site_permissions()
    assert got == {
        "create-space": (set(), {}, 0),  # held by no one, still listed
        **{slug: (direct, via, len(accounts)) for slug, (accounts, direct, via) in want.items()},
    }
    # administration first
    slugs = [m["entitlements"][e][1] for e, *_ in site["permissions"]]
    assert slugs[:2] == ["administer-application", "administer-system"]
    routes: dict[tuple[str, str], set[str]] = {}
    for n, e, code in site["admins"]:
        direct = code <= 0
        vias = {ref_of(m, m["entitlements"][s][0]) for s in m["vias"][abs(code) - 1]} if code else set()
        routes[(ref_of(m, n), m["entitlements"][e][1])] = vias | ({oracle.DIRECT} if direct else set())
    assert routes == oracle.site_admin_routes()
    assert site["adminsTotal"] == len(site["admins"])


def test_site_administration_counts_in_the_other_admin_highlights(activity_file: Path) -> None:
    """`administer-*` on the site is administration too: Bob administers the site."""
    m = review(activity_file, ReviewRules(**{**RULES.__dict__, "many_admin_threshold": 1}))
    many = {ref_of(m, n): c for n, c in m["highlights"]["manyAdmins"]}
    assert many == {who: len(oracle.administered(who)) for who in ("user:ada", "user:bob", "user:carol", "user:bot")}


def test_export_and_access_carry_the_last_active_date(activity_file: Path) -> None:
    out = io.StringIO()
    with C1ZReader.open(activity_file) as reader:
        view = AccessView(reader)
        export.write_csv(view, out)
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert list(rows[0])[-1] == "last_active"  # added at the end: existing columns keep their places
        for row in rows:
            want = expected_date(row["principal_id"]) if row["principal_type"] == "user" else ""
            assert row["last_active"] == want
        table = lookups.access(view, ResourceRef("user", "bob")).splitlines()
        assert table[0].split()[-2:] == ["LAST", "ACTIVE"]
        assert all(line.endswith(expected_date("bob")) for line in table[1:]) and len(table) == 6
        carol = lookups.access(view, ResourceRef("user", "carol")).splitlines()
        assert carol[1].rstrip().endswith("direct")  # never active: the cell is empty
        doc = json.loads(lookups.principals(view, entitlement_id="site:cloud-1:administer-system", output="json"))
        assert [h["principal"]["last_active"] for h in doc] == [expected_date("bob")]


def test_the_command_line_passes_the_site_type_and_dormant_days(activity_file: Path, tmp_path: Path) -> None:
    made = run_cli(["inspect", "report", str(activity_file), "-o", "page.html", "--dormant-days", "100"], tmp_path)
    assert made.returncode == 0, made.stderr
    m = meta((tmp_path / "page.html").read_text(encoding="utf-8"))
    h = m["highlights"]
    assert (h["activity"]["days"], h["activity"]["option"]) == (100, "--last-activity")
    assert [ref_of(m, n) for n, _ in h["dormant"]] == [who for who, _ in oracle.dormant(100)]
    assert [ref_of(m, n) for n in h["site"]["resources"]] == ["site:cloud-1"]
    bad = run_cli(["inspect", "report", str(activity_file), "-o", "other.html", "--dormant-days", "0"], tmp_path)
    assert bad.returncode == 2 and bad.stderr == "error: --dormant-days must be at least 1\n"
    assert not (tmp_path / "other.html").exists()


def test_long_lists_are_cut_with_their_totals(activity_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "LIST_LIMIT", 1)
    m = review(activity_file)
    h = m["highlights"]
    assert [ref_of(m, n) for n, _ in h["dormant"]] == [who for who, _ in oracle.dormant(90)][:1]
    assert m["highlightTotals"]["dormant"] == len(oracle.dormant(90))
    assert m["highlightTotals"]["dormantAdmins"] == len(oracle.dormant_admins(90))


def test_site_lists_keep_counting_past_their_limit() -> None:
    tally = SiteTally(frozenset({"user"}), limit=2)
    users = [ResourceRef("user", f"u{i}") for i in range(5)]
    for user in users:
        for slug in ("use-application", "administer-application"):
            holding = Holding(
                grant_id=f"site:x:{slug}:{user}",
                entitlement_id=f"site:x:{slug}",
                slug=slug,
                resource=ResourceRef("site", "x"),
                principal=user,
                direct=True,
                via=(),
            )
            tally.add(holding, administers=RULES.administers(slug))
    used = tally.permission("site:x:use-application")
    assert (used.direct, used.direct_total, used.accounts) == (users[:2], 5, 5)
    assert ([h.principal for h in tally.admins], tally.admins_total) == (users[:2], 5)


@pytest.mark.parametrize(
    ("stored", "want"),
    [
        ("2026-06-30 12:00:00", datetime(2026, 6, 30, 12).astimezone(UTC)),  # Go's format: local time, no zone
        ("2026-06-30T12:00:00Z", datetime(2026, 6, 30, 12, tzinfo=UTC)),
        ("2026-06-30 12:00:00+02:00", datetime(2026, 6, 30, 10, tzinfo=UTC)),
        ("not a time", None),
    ],
)
def test_the_sync_end_is_read_in_every_stored_shape(stored: str, want: datetime | None) -> None:
    run = SyncRun("s", "full", stored, stored, "", "", "", False, None)
    assert dormancy.sync_end(run) == want


def test_no_end_time_flags_no_one() -> None:
    rule = dormancy.Dormancy(now=None, days=90, synced=True)
    never = ResourceInfo(ResourceRef("user", "x"), "x", account_type=AccountType.HUMAN, status=Status.ENABLED)
    assert not rule.dormant(never)
    assert dormancy.Dormancy(now=ENDED, days=90, synced=True).dormant(never)
