"""The sync engine end to end: a test connector behind a real gRPC server, a real c1z file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.runner.local_sync import sync_to_file
from baton_confluence.baton.sync.client import SyncError
from baton_confluence.baton.sync.engine import SyncOptions
from tests.baton.sync.c1z_rows import latest_sync, open_c1z, sync_content, table
from tests.baton.sync.library_connector import Faults, LibraryConnector, sample_library


def run(connector: LibraryConnector, path: Path, **options: object) -> None:
    asyncio.run(sync_to_file(connector, path, SyncOptions(**options)))  # type: ignore[arg-type]


def grants_of(path: Path) -> dict[str, pb.grant.Grant]:
    conn = open_c1z(path)
    rows = table(conn, "v1_grants", latest_sync(conn))
    return {k: pb.grant.Grant.FromString(v) for k, v in rows.items()}


def test_resources_entitlements_and_direct_grants(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    connector = LibraryConnector(sample_library(), page_size=2)
    run(connector, path)
    conn = open_c1z(path)
    sync_id = latest_sync(conn)
    resources = table(conn, "v1_resources", sync_id)
    assert sorted(resources) == sorted(
        ["user:u1", "user:u2", "user:u3", "user:u4", "user:u5", "team:t1", "team:t2", "shelf:s1", "shelf:s2"]
        + ["book:b1", "book:b2", "book:b3", "document:d1", "document:d2", "document:d3"]
    )
    book = pb.resource.Resource.FromString(resources["book:b2"])
    assert book.parent_resource_id.resource == "s1"
    parents = conn.execute(
        "SELECT parent_resource_type_id, parent_resource_id FROM v1_resources WHERE external_id='book:b1' AND sync_id=?",
        (sync_id,),
    ).fetchone()
    assert parents == ("shelf", "s1")
    entitlements = table(conn, "v1_entitlements", sync_id)
    # user has SkipEntitlementsAndGrants; books get the static "reader" entitlement only.
    assert sorted(entitlements) == sorted(
        ["team:t1:member", "team:t2:member", "document:d1:edit", "document:d2:edit", "document:d3:edit"]
        + ["book:b1:reader", "book:b2:reader", "book:b3:reader"]
    )
    reader = pb.entitlement.Entitlement.FromString(entitlements["book:b3:reader"])
    assert reader.resource.id.resource == "b3" and reader.description == "may read"
    assert connector.cleaned == [sync_id]
    run_row = conn.execute(
        "SELECT sync_type, ended_at IS NOT NULL, supports_diff, grants_backfilled FROM v1_sync_runs WHERE sync_id=?",
        (sync_id,),
    ).fetchone()
    assert run_row == ("full", 1, 1, 1)


def test_expansion_column_and_derived_grants(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    run(LibraryConnector(sample_library(), page_size=1), path)
    conn = open_c1z(path)
    sync_id = latest_sync(conn)
    expansion = dict(
        conn.execute(
            "SELECT external_id, expansion FROM v1_grants WHERE sync_id=? AND expansion IS NOT NULL", (sync_id,)
        )
    )
    assert sorted(expansion) == ["document:d1:edit:team:t1", "document:d2:edit:team:t1", "document:d2:edit:team:t2"]
    assert pb.grant_annotations.GrantExpandable.FromString(expansion["document:d2:edit:team:t2"]).entitlement_ids == [
        "team:t2:member"
    ]
    grants = grants_of(path)
    stored = grants["document:d2:edit:team:t2"]
    assert not ann.has(stored.annotations, pb.grant_annotations.GrantExpandable)

    derived = grants["document:d2:edit:user:u3"]  # u3 is in t1 and t2
    assert ann.has(derived.annotations, pb.grant_annotations.GrantImmutable)
    assert dict((k, v.is_direct) for k, v in derived.sources.sources.items()) == {
        "team:t1:member": True,
        "team:t2:member": True,
    }
    assert derived.entitlement.id == "document:d2:edit"
    assert derived.entitlement.resource.id.resource == "d2"
    assert derived.principal.id.resource_type == "user"

    # u1 holds d1 directly and through t1: the direct grant gains sources instead of a second row.
    direct = grants["document:d1:edit:user:u1"]
    assert not ann.has(direct.annotations, pb.grant_annotations.GrantImmutable)
    assert dict((k, v.is_direct) for k, v in direct.sources.sources.items()) == {
        "document:d1:edit": True,
        "team:t1:member": True,
    }
    expected = {f"document:d1:edit:user:{u}" for u in ("u1", "u2", "u3")} | {
        f"document:d2:edit:user:{u}" for u in ("u1", "u2", "u3", "u4")
    }
    assert expected <= set(grants)
    assert "document:d3:edit:user:u4" not in grants
    # the derived row's bytes must equal protobuf's own deterministic serialisation
    raw = table(conn, "v1_grants", sync_id)["document:d2:edit:user:u4"]
    assert pb.grant.Grant.FromString(raw).SerializeToString(deterministic=True) == raw


def test_interrupted_sync_resumes_to_same_rows(tmp_path: Path) -> None:
    clean = tmp_path / "clean.c1z"
    uninterrupted = LibraryConnector(sample_library(), page_size=1)
    run(uninterrupted, clean)

    path = tmp_path / "sync.c1z"
    faults = Faults(method="document-grants", nth=3, code=grpc.StatusCode.INTERNAL)
    interrupted = LibraryConnector(sample_library(), page_size=1, faults=faults)
    with pytest.raises(SyncError, match="injected failure"):
        run(interrupted, path, checkpoint_interval=0.0, concurrency=1)
    assert not path.exists()
    resumed = LibraryConnector(sample_library(), page_size=1)  # its own call counts, no fault
    run(resumed, path, checkpoint_interval=0.0, concurrency=1)

    # Each run counts its own calls: the first listed the users, the resumed one did not list
    # them again and fetched only the document grant pages the first had not saved.
    assert interrupted.faults.calls["users"] == uninterrupted.faults.calls["users"] > 0
    assert "users" not in resumed.faults.calls
    assert interrupted.faults.calls["document-grants"] == 3
    assert 0 < resumed.faults.calls["document-grants"] < uninterrupted.faults.calls["document-grants"]
    assert sync_content(path) == sync_content(clean)


def test_unavailable_is_retried(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    faults = Faults(method="team-grants", nth=1, code=grpc.StatusCode.UNAVAILABLE)
    connector = LibraryConnector(sample_library(), faults=faults)
    run(connector, path)
    assert faults.fired
    assert "document:d1:edit:user:u2" in grants_of(path)


def test_concurrency_does_not_change_content(tmp_path: Path) -> None:
    one, many = tmp_path / "one.c1z", tmp_path / "many.c1z"
    run(LibraryConnector(sample_library(), page_size=1), one, concurrency=1)
    run(LibraryConnector(sample_library(), page_size=1), many, concurrency=32)
    assert {k: v.SerializeToString(deterministic=True) for k, v in grants_of(one).items()} == {
        k: v.SerializeToString(deterministic=True) for k, v in grants_of(many).items()
    }
