"""`inspect diff`: added, removed and changed between two syncs of one file; `--exit-code`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite
from confluence_simulator.state import PRINCIPAL_GROUP, PRINCIPAL_USER, SiteState

from baton_confluence.baton.c1z import C1ZReader
from baton_confluence.baton.inspect import InspectError, diff
from tests.baton.inspect.conftest import SPEC
from tests.baton.inspect.handmade import Handmade, write_single
from tests.baton.inspect.page import meta
from tests.e2e.cli import run_cli, site_env
from tests.e2e.expected import expected

# handmade.py: Bob left Engineers (his membership and the read he had through it go), Carol
# joined and reads Ops directly, Ops was renamed.
ADDED = {"resource": ["user:carol"], "entitlement": [], "grant": ["space:s2:read-space:user:carol"]}
REMOVED = {
    "resource": ["user:bob"],
    "entitlement": [],
    "grant": ["group:eng:member:user:bob", "space:s1:read-space:user:bob"],
}
CHANGED = ["space:s2"]


def test_default_compares_the_two_latest_full_syncs(handmade: Handmade, handmade_reader: C1ZReader) -> None:
    pair = diff.choose_syncs(handmade_reader, None, None)
    assert (pair.before.id, pair.after.id) == (handmade.first_sync, handmade.second_sync)
    out = io.StringIO()
    assert diff.write_diff(handmade_reader, pair, out, "json") is True
    doc = json.loads(out.getvalue())
    assert doc["from"] == handmade.first_sync and doc["to"] == handmade.second_sync
    for kind in ("resource", "entitlement", "grant"):
        assert doc[kind + "s"]["added"] == ADDED[kind]
        assert doc[kind + "s"]["removed"] == REMOVED[kind]
    assert doc["resources"]["changed"] == CHANGED
    assert doc["counts"]["grants_removed"] == 2


def test_table_lists_each_difference(handmade: Handmade, handmade_reader: C1ZReader) -> None:
    out = io.StringIO()
    diff.write_diff(handmade_reader, diff.choose_syncs(handmade_reader, None, None), out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"from {handmade.first_sync} (full, ended ")
    assert [line.split() for line in lines[3:7]] == [
        ["ADDED", "REMOVED", "CHANGED"],
        ["resources", "1", "1", "1"],
        ["entitlements", "0", "0"],
        ["grants", "1", "2"],
    ]
    assert [line.split() for line in lines[8:]] == [
        ["+", "resource", "user:carol"],
        ["-", "resource", "user:bob"],
        ["~", "resource", "space:s2"],
        ["+", "grant", "space:s2:read-space:user:carol"],
        ["-", "grant", "group:eng:member:user:bob"],
        ["-", "grant", "space:s1:read-space:user:bob"],
    ]


def test_reversed_syncs_swap_added_and_removed(handmade: Handmade, handmade_reader: C1ZReader) -> None:
    out = io.StringIO()
    pair = diff.choose_syncs(handmade_reader, handmade.second_sync, handmade.first_sync)
    diff.write_diff(handmade_reader, pair, out, "json")
    doc = json.loads(out.getvalue())
    assert doc["grants"] == {"added": REMOVED["grant"], "removed": ADDED["grant"]}


def test_a_sync_against_itself_has_no_differences(handmade: Handmade, handmade_reader: C1ZReader) -> None:
    out = io.StringIO()
    pair = diff.choose_syncs(handmade_reader, handmade.first_sync, handmade.first_sync)
    assert diff.write_diff(handmade_reader, pair, out) is False
    assert out.getvalue().endswith("\nno differences\n")


def test_one_sync_or_an_unknown_sync_is_a_readable_error(tmp_path: Path, handmade_reader: C1ZReader) -> None:
    single = tmp_path / "single.c1z"
    write_single(single)
    with C1ZReader.open(single) as reader, pytest.raises(InspectError, match="holds only one finished full sync"):
        diff.choose_syncs(reader, None, None)
    with pytest.raises(InspectError, match="has no sync nope; list the syncs"):
        diff.choose_syncs(handmade_reader, "nope", None)


def test_exit_code_for_scripts(handmade: Handmade, tmp_path: Path) -> None:
    path = str(handmade.path)
    plain = run_cli(["inspect", "diff", path], tmp_path)
    assert plain.returncode == 0 and "+ grant        space:s2:read-space:user:carol" in plain.stdout
    assert run_cli(["inspect", "diff", path, "--exit-code"], tmp_path).returncode == 1
    same = ["--from", handmade.second_sync, "--to", handmade.second_sync]
    assert run_cli(["inspect", "diff", path, "--exit-code", *same], tmp_path).returncode == 0
    single = tmp_path / "single.c1z"
    write_single(single)
    one = run_cli(["inspect", "diff", str(single)], tmp_path)
    assert one.returncode == 2 and one.stderr.startswith("error: ") and one.stderr.count("\n") == 1


def grant_ids(state: SiteState) -> set[str]:
    want = expected(state)
    return want.member_grants | want.direct_grants | want.expanded_grants


def test_two_syncs_of_a_changing_site(tmp_path: Path) -> None:
    """A member leaves a group that holds space permissions, another joins, a user is given a
    permission directly: diff and the page's changes list what the site's state says changed."""
    with SimulatedSite(SPEC) as site:
        env = site_env(site)
        first = run_cli([], tmp_path, env)
        assert first.returncode == 0, first.stderr
        state = site.state
        before = grant_ids(state)
        group = next(p.principal_id for p in state.all_permissions() if p.principal_type == PRINCIPAL_GROUP)
        leaver = state.group_members(group)[0]
        joiner = next(u for u in expected(state).users if u in state.users and u not in state.groups[group].member_set)
        assert state.remove_group_member(group, leaver) and state.add_group_member(group, joiner)
        space = min(int(s) for s in expected(state).spaces)
        if state.find_permission(space, PRINCIPAL_USER, joiner, "export", "space") is None:
            state.add_space_permission(space, PRINCIPAL_USER, joiner, "export", "space")
        second = run_cli([], tmp_path, env)
        assert second.returncode == 0, second.stderr
        after = grant_ids(state)
    added, removed = sorted(after - before), sorted(before - after)
    assert added and removed
    result = run_cli(["inspect", "diff", "-o", "json"], tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["grants"]["added"], doc["grants"]["removed"]) == (added, removed)
    page = run_cli(["inspect", "report", "-o", "review.html"], tmp_path)
    assert page.returncode == 0, page.stderr
    changes = meta((tmp_path / "review.html").read_text(encoding="utf-8"))["changes"]
    assert (changes["grants_added"]["count"], changes["grants_added"]["ids"]) == (len(added), added)
    assert (changes["grants_removed"]["count"], changes["grants_removed"]["ids"]) == (len(removed), removed)
