"""`inspect access` and `inspect principals`: what a principal holds and who holds what, and how."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from baton_confluence.baton.c1z import C1ZReader
from baton_confluence.baton.inspect import AccessView, InspectError, ResourceRef, lookups
from tests.baton.inspect.conftest import SyncedSite
from tests.baton.inspect.handmade import Handmade
from tests.baton.inspect.oracle import DIRECT, Route, routes, routes_of
from tests.e2e.cli import run_cli


def cells(table: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line) for line in table.splitlines()]


def test_access_of_an_account_direct_and_via_its_group(handmade_reader: C1ZReader) -> None:
    view = AccessView(handmade_reader)
    assert cells(lookups.access(view, ResourceRef("user", "ada"))) == [
        ["RESOURCE", "NAME", "ENTITLEMENT", "HOW", "LAST ACTIVE"],
        ["group:eng", "Engineers", "member", "direct"],
        ["space:s1", "Handbook", "read-space", "direct, via Engineers (group:eng)"],
    ]


def test_access_in_an_earlier_sync_through_the_group_only(handmade: Handmade) -> None:
    with C1ZReader.open(handmade.path, sync_id=handmade.first_sync) as reader:
        doc = json.loads(lookups.access(AccessView(reader), ResourceRef("user", "bob"), "json"))
    assert [(h["resource"]["id"], h["entitlement"]["slug"], h["direct"], h["via"]) for h in doc] == [
        ("eng", "member", True, []),
        (
            "s1",
            "read-space",
            False,
            [{"entitlement": "group:eng:member", "resource": {"type": "group", "id": "eng", "name": "Engineers"}}],
        ),
    ]
    assert doc[0]["principal"] == {
        "type": "user",
        "id": "bob",
        "name": "Bob Dylan",
        "email": "",
        "account_type": "human",
        "status": "disabled",
        "last_active": "",  # the hand-made file has no last-active dates
    }


def test_a_principal_the_sync_does_not_hold_is_a_readable_error(handmade_reader: C1ZReader) -> None:
    with pytest.raises(InspectError, match=r"no principal user:bob in sync .*inspect resources --resource-type user"):
        lookups.access(AccessView(handmade_reader), ResourceRef("user", "bob"))


def test_principals_of_an_entitlement_and_of_a_resource(handmade_reader: C1ZReader) -> None:
    view = AccessView(handmade_reader)
    doc = json.loads(lookups.principals(view, entitlement_id="space:s2:read-space", output="json"))
    got = [(h["principal"]["type"], h["principal"]["id"], h["principal"]["status"], h["direct"]) for h in doc]
    assert got == [
        ("access_class", "anonymous-users", "", True),
        ("user", "carol", "enabled", True),
        ("user", "gone", "deleted", True),
    ]
    assert cells(lookups.principals(view, resource=ResourceRef("space", "s1"))) == [
        ["PRINCIPAL", "NAME", "STATUS", "ENTITLEMENT", "HOW", "LAST ACTIVE"],
        ["user:bot", "Deploy Bot", "enabled", "administer-space", "direct"],
        ["group:eng", "Engineers", "read-space", "direct"],  # a group has no status: the cell is blank
        ["user:ada", "Ada Lovelace", "enabled", "read-space", "direct, via Engineers (group:eng)"],
    ]
    with pytest.raises(InspectError, match="no entitlement space:s1:nope"):
        lookups.principals(view, entitlement_id="space:s1:nope")


def _routes(doc: list[dict[str, object]]) -> set[Route]:
    out = set()
    for h in doc:
        p, e = h["principal"], h["entitlement"]
        assert isinstance(p, dict) and isinstance(e, dict) and isinstance(h["via"], list)
        principal = f"{p['type']}:{p['id']}"
        if h["direct"]:
            out.add(Route(principal, e["id"], DIRECT))
        out.update(Route(principal, e["id"], f"{v['resource']['type']}:{v['resource']['id']}") for v in h["via"])
    return out


def test_access_of_every_account_of_a_synced_site_is_what_the_site_grants(synced_site: SyncedSite) -> None:
    with C1ZReader.open(synced_site.path) as reader:
        view = AccessView(reader)
        accounts = [f"user:{r.id.resource}" for r in reader.resources("user")]
        assert len(accounts) > 20
        for principal in accounts:
            doc = json.loads(lookups.access(view, ResourceRef.parse(principal, "--principal"), "json"))
            assert _routes(doc) == routes_of(synced_site.state, principal), principal


def test_the_command_line(synced_site: SyncedSite, tmp_path: Path) -> None:
    state = synced_site.state
    group = next(g for g in state.groups.values() if g.members)
    user = group.members[0]
    c1z = str(synced_site.path)
    by_user = run_cli(["inspect", "access", "--user", user, c1z, "-o", "json"], tmp_path)
    assert by_user.returncode == 0, by_user.stderr
    by_principal = run_cli(["inspect", "access", c1z, "--principal", f"user:{user}", "-o", "json"], tmp_path)
    assert (
        _routes(json.loads(by_user.stdout))
        == _routes(json.loads(by_principal.stdout))
        == routes_of(state, f"user:{user}")
    )
    holders = run_cli(["inspect", "principals", c1z, "--entitlement", f"group:{group.id}:member"], tmp_path)
    assert holders.returncode == 0 and {line.split()[0] for line in holders.stdout.splitlines()[1:]} == {
        f"user:{m}" for m in group.members
    }
    bad = run_cli(["inspect", "access", c1z, "--principal", "nocolon"], tmp_path)
    assert (
        bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--principal must be <resource type>:<id>" in bad.stderr
    )


def test_principals_of_every_space_of_a_synced_site_are_what_the_site_grants(synced_site: SyncedSite) -> None:
    every = routes(synced_site.state)
    with C1ZReader.open(synced_site.path) as reader:
        view = AccessView(reader)
        spaces = [r.id.resource for r in reader.resources("space")]
        assert spaces
        for space in spaces:
            doc = json.loads(lookups.principals(view, resource=ResourceRef("space", space), output="json"))
            assert _routes(doc) == {r for r in every if r.entitlement.startswith(f"space:{space}:")}, space
