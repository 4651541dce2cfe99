"""Lean grants (issue 23): every grant row of a real sync reads the way the Go SDK's readers read it.

The Go `baton grants` command reads each grant's `data`, then looks up, by the ids the grant
embeds, the entitlement row, the principal's resource row, the entitlement's resource row and that
resource's type (docs/protocol.md §1.4). So every row must hold a parseable grant whose embedded
ids agree with its columns and lead to existing rows of the same sync. The rows are read here
with plain zstd and SQL, not with the project's reader.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from confluence_simulator import SimulatedSite, SiteSpec

from baton_confluence.baton import pb
from tests.baton.sync.c1z_rows import latest_sync, open_c1z
from tests.e2e.cli import run_cli, site_env
from tests.e2e.expected import expected

SPEC = SiteSpec(seed=11, users=40, groups=8, spaces=12, permissions_per_space=10)


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SimulatedSite, sqlite3.Connection, str]]:
    tmp = tmp_path_factory.mktemp("lean")
    with SimulatedSite(SPEC) as site:
        result = run_cli([], tmp, site_env(site))
        assert result.returncode == 0, result.stderr
        conn = open_c1z(tmp / "sync.c1z")
        yield site, conn, latest_sync(conn)
        conn.close()


def _rows(conn: sqlite3.Connection, table: str, sync_id: str) -> dict[str, bytes]:
    return dict(conn.execute(f"select external_id, data from {table} where sync_id = ?", (sync_id,)).fetchall())


def test_a_reader_following_the_go_rules_reads_every_grant(
    synced: tuple[SimulatedSite, sqlite3.Connection, str],
) -> None:
    site, conn, sync_id = synced
    resource_types = _rows(conn, "v1_resource_types", sync_id)
    resources = _rows(conn, "v1_resources", sync_id)
    entitlements = {
        k: pb.entitlement.Entitlement.FromString(v) for k, v in _rows(conn, "v1_entitlements", sync_id).items()
    }
    grant_rows = conn.execute(
        "select external_id, entitlement_id, resource_type_id, resource_id, principal_resource_type_id, "
        "principal_resource_id, data from v1_grants where sync_id = ?",
        (sync_id,),
    ).fetchall()
    want = expected(site.state, search_cap=SPEC.search_cap)
    assert {row[0] for row in grant_rows} == want.member_grants | want.direct_grants | want.expanded_grants
    for external_id, ent_id, rtype, rid, ptype, pid, data in grant_rows:
        grant = pb.grant.Grant.FromString(data)
        assert grant.id == external_id
        assert grant.entitlement.id == ent_id
        assert (grant.entitlement.resource.id.resource_type, grant.entitlement.resource.id.resource) == (rtype, rid)
        assert (grant.principal.id.resource_type, grant.principal.id.resource) == (ptype, pid)
        # The lookups `baton grants` makes for each row.
        entitlement = entitlements[grant.entitlement.id]
        assert entitlement.resource.id == grant.entitlement.resource.id
        assert f"{ptype}:{pid}" in resources, external_id
        resource = pb.resource.Resource.FromString(resources[f"{rtype}:{rid}"])
        assert rtype in resource_types
        # Lean: the ids and the resource's display name, nothing more (what the Go connector embeds).
        assert {field.name for field, _ in grant.entitlement.ListFields()} == {"id", "resource"}
        assert {field.name for field, _ in grant.entitlement.resource.ListFields()} <= {"id", "display_name"}
        assert grant.entitlement.resource.display_name == resource.display_name
        assert {field.name for field, _ in grant.principal.ListFields()} == {"id"}


def test_the_full_resource_and_entitlement_stay_in_their_own_tables(
    synced: tuple[SimulatedSite, sqlite3.Connection, str],
) -> None:
    _site, conn, sync_id = synced
    resources = _rows(conn, "v1_resources", sync_id)
    entitlements = [pb.entitlement.Entitlement.FromString(v) for v in _rows(conn, "v1_entitlements", sync_id).values()]
    assert {e.resource.id.resource_type for e in entitlements} == {"group", "site", "space"}
    for entitlement in entitlements:
        assert entitlement.grantable_to and entitlement.display_name, entitlement.id
        key = f"{entitlement.resource.id.resource_type}:{entitlement.resource.id.resource}"
        assert entitlement.resource == pb.resource.Resource.FromString(resources[key]), entitlement.id
