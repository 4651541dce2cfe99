"""Provisioning through the real command line, with ids read from a c1z a real sync wrote.

Each test: sync the simulated site, grant or revoke with `-f <that c1z>`, check the site, sync
again and check the new c1z. Bad requests must print one `error:` line, exit with the gRPC code
and leave the site untouched.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from confluence_simulator import SimulatedSite, SiteState
from confluence_simulator.state import PRINCIPAL_GROUP, PRINCIPAL_USER

from tests.baton.sync.c1z_rows import latest_sync, open_c1z, table
from tests.confluence.provisioning.support import (
    bare_group,
    held,
    humans,
    outsider,
    role_holders,
    snapshot,
    visible_spaces,
)
from tests.e2e.cli import run_cli, site_env

NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION = 5, 3, 9


def cli(site: SimulatedSite, tmp_path: Path, *args: str, rbac: bool = False) -> subprocess.CompletedProcess[str]:
    return run_cli([*args, *(["--use-rbac"] if rbac else [])], tmp_path, site_env(site))


def sync(site: SimulatedSite, tmp_path: Path, name: str, *, rbac: bool = False) -> set[str]:
    """Sync into `name`; the grant ids of that sync."""
    result = cli(site, tmp_path, "-f", name, rbac=rbac)
    assert result.returncode == 0, result.stderr
    conn = open_c1z(tmp_path / name)
    return set(table(conn, "v1_grants", latest_sync(conn)))


def grant(
    site: SimulatedSite, tmp_path: Path, c1z: str, entitlement: str, kind: str, principal: str, *, rbac: bool = False
) -> subprocess.CompletedProcess[str]:
    return cli(
        site,
        tmp_path,
        "-f",
        c1z,
        "--grant-entitlement",
        entitlement,
        "--grant-principal",
        principal,
        "--grant-principal-type",
        kind,
        rbac=rbac,
    )


def revoke(
    site: SimulatedSite, tmp_path: Path, c1z: str, grant_id: str, *, rbac: bool = False
) -> subprocess.CompletedProcess[str]:
    return cli(site, tmp_path, "-f", c1z, "--revoke-grant", grant_id, rbac=rbac)


def assert_failed(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == code, result.stderr
    assert len(errors) == 1 and result.stdout == "" and "Traceback" not in result.stderr, result.stderr
    assert all(word in errors[0] for word in words), errors[0]
    return errors[0]


def logged(result: subprocess.CompletedProcess[str], event: str) -> list[dict[str, object]]:
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    return [e for e in events if e.get("event") == event]


def test_membership_grant_and_revoke_show_in_the_next_sync(site: SimulatedSite, tmp_path: Path) -> None:
    group_id, account = outsider(site.state)
    entitlement = f"group:{group_id}:member"
    grant_id = f"{entitlement}:user:{account}"
    assert grant_id not in sync(site, tmp_path, "first.c1z")

    granted = grant(site, tmp_path, "first.c1z", entitlement, "user", account)
    assert granted.returncode == 0, granted.stderr
    assert granted.stdout.strip() == f"granted {entitlement} to user:{account}"
    assert account in site.state.group_members(group_id)
    again = grant(site, tmp_path, "first.c1z", entitlement, "user", account)
    assert again.stdout.strip().endswith("(it was already granted)")
    assert site.state.group_members(group_id).count(account) == 1
    assert grant_id in sync(site, tmp_path, "second.c1z")

    revoked = revoke(site, tmp_path, "second.c1z", grant_id)
    assert revoked.returncode == 0 and revoked.stdout.strip() == f"revoked {grant_id}", revoked.stderr
    assert account not in site.state.group_members(group_id)
    assert grant_id not in sync(site, tmp_path, "third.c1z")


def test_bad_requests_fail_with_one_line_and_change_nothing(site: SimulatedSite, tmp_path: Path) -> None:
    group_id, account = outsider(site.state)
    other_group = next(g for g in sorted(site.state.groups) if g != group_id)
    sync(site, tmp_path, "sync.c1z")
    before = snapshot(site.state)

    unknown = grant(site, tmp_path, "sync.c1z", "group:no-such-group:member", "user", account)
    assert_failed(unknown, NOT_FOUND, "group:no-such-group:member", "sync.c1z")
    wrong_type = grant(site, tmp_path, "sync.c1z", f"group:{group_id}:member", "group", other_group)
    assert_failed(wrong_type, INVALID_ARGUMENT, f"group:{group_id}:member", "group")
    missing = revoke(site, tmp_path, "sync.c1z", f"group:{group_id}:member:user:{account}")
    assert_failed(missing, NOT_FOUND, f"group:{group_id}:member:user:{account}")
    assert snapshot(site.state) == before


def test_space_permissions_read_space_rules(site: SimulatedSite, tmp_path: Path) -> None:
    state = site.state
    space_id, subject = _subject_with_more_than_read(state)
    group_id = bare_group(state, space_id)
    sync(site, tmp_path, "first.c1z")
    before = snapshot(state)

    needs_read = grant(site, tmp_path, "first.c1z", f"space:{space_id}:create-page", "group", group_id)
    assert_failed(needs_read, FAILED_PRECONDITION, f"grant space:{space_id}:read-space first")
    assert snapshot(state) == before

    read_id = f"space:{space_id}:read-space:{subject[0]}:{subject[1]}"
    cascade = revoke(site, tmp_path, "first.c1z", read_id)
    assert cascade.returncode == 0, cascade.stderr
    assert held(state, space_id, subject) == []
    [warned] = logged(cascade, "confluence_read_space_cascade")
    assert warned["entitlement"] == f"space:{space_id}:read-space" and warned["level"] == "warning"
    assert "removed all of the principal's permissions" in str(warned["detail"])

    granted = grant(site, tmp_path, "first.c1z", f"space:{space_id}:read-space", "group", group_id)
    assert granted.returncode == 0, granted.stderr
    assert held(state, space_id, (PRINCIPAL_GROUP, group_id)) == [("read", "space")]
    grants = sync(site, tmp_path, "second.c1z")
    assert f"space:{space_id}:read-space:group:{group_id}" in grants
    assert not any(g.startswith(f"space:{space_id}:") and g.endswith(f":{subject[0]}:{subject[1]}") for g in grants)


def test_role_assignments_through_the_cli(rbac_site: SimulatedSite, tmp_path: Path) -> None:
    state = rbac_site.state
    space_id = visible_spaces(state)[0]
    users = role_holders(state, space_id, "USER")
    account = next(a for a in humans(state) if a not in users)
    viewer = next(role.id for role in state.roles if role.name == "Viewer")
    group_id, group_role = next(iter(role_holders(state, space_id, "GROUP").items()))
    sync(rbac_site, tmp_path, "rbac.c1z", rbac=True)

    entitlement = f"space_role_assignment:{space_id}:{viewer}:assigned"
    granted = grant(rbac_site, tmp_path, "rbac.c1z", entitlement, "user", account, rbac=True)
    assert granted.returncode == 0, granted.stderr
    assert role_holders(state, space_id, "USER")[account] == viewer
    group_grant = f"space_role_assignment:{space_id}:{group_role}:assigned:group:{group_id}"
    revoked = revoke(rbac_site, tmp_path, "rbac.c1z", group_grant, rbac=True)
    assert revoked.returncode == 0, revoked.stderr
    assert group_id not in role_holders(state, space_id, "GROUP")


def _subject_with_more_than_read(state: SiteState) -> tuple[int, tuple[str, str]]:
    """A (space, subject) where the subject holds read-space and more, but not the space's admin
    permission (Confluence refuses to remove a space's last administer permission)."""
    emitted = set(humans(state))
    for space_id in visible_spaces(state):
        subjects = {p.subject for p in state.space_permissions(space_id)}
        for subject in sorted(subjects):
            if subject[0] not in (PRINCIPAL_USER, PRINCIPAL_GROUP):
                continue
            if subject[0] == PRINCIPAL_USER and subject[1] not in emitted:
                continue
            pairs = held(state, space_id, subject)
            if ("read", "space") in pairs and len(pairs) > 1 and ("administer", "space") not in pairs:
                return space_id, subject
    raise AssertionError("no subject holds read-space plus another permission")
