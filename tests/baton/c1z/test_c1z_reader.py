"""C1ZReader: sync selection like Go readers, filters, lookups, and cleanup of its temp copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from c1z_helpers import entitlement, grant, resource, resource_type

from baton_confluence.baton import pb
from baton_confluence.baton.c1z import C1ZError, C1ZReader, SyncStore


def write_sync(path: Path, tag: str, *, sync_type: str = "full", finish: bool = True) -> str:
    """A sync whose group is named after `tag`, so tests can tell which sync a reader shows."""
    with SyncStore.open(path) as store:
        sync_id, _ = store.start_or_resume_sync(sync_type)
        group = resource("group", tag)
        member = entitlement(group, "member")
        store.put_resource_types([resource_type("group"), resource_type("user")])
        store.put_resources([group, resource("user", "u1", parent=("group", tag))])
        store.put_entitlements([member])
        store.put_grants(
            [
                grant(member, resource("user", "u1")),
                grant(entitlement(resource("space", "s1"), "read"), group, expand=[member.id]),
            ]
        )
        store.checkpoint("t")
        if finish:
            store.end_sync()
        store.finalize()
    return sync_id


def test_default_is_latest_finished_full_sync(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    write_sync(path, "old")
    full = write_sync(path, "full")
    write_sync(path, "partial", sync_type="partial")
    write_sync(path, "running", finish=False)
    with C1ZReader.open(path) as reader:
        assert reader.sync_id == full
        assert [r.id.resource for r in reader.resources("group")] == ["full"]
        assert reader.get_resource("group", "full") is not None
        # Point lookups use the latest finished sync of any type, as Go's getConnectorObject does,
        # then the latest full sync for what that one lacks (a partial sync holds a few resources).
        assert reader.get_entitlement("group:partial:member") is not None
        assert reader.get_entitlement("group:full:member") is not None
        assert reader.get_entitlement("group:old:member") is None
        assert reader.get_entitlement("group:running:member") is None
        assert [s.type for s in reader.syncs()] == ["full", "full", "partial", "full"]


def test_unfinished_sync_shown_when_nothing_finished(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    running = write_sync(path, "running", finish=False)
    with C1ZReader.open(path) as reader:
        assert reader.sync_id == running
        assert [r.id.resource for r in reader.resources("group")] == ["running"]
        stats = reader.stats()  # not stored yet: computed
        assert stats["resources"] == 2 and stats["grants"] == 2


def test_explicit_sync_id(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    old = write_sync(path, "old")
    write_sync(path, "new")
    with C1ZReader.open(path, sync_id=old) as reader:
        assert [r.id.resource for r in reader.resources("group")] == ["old"]
        assert reader.get_entitlement("group:old:member") is not None
    with pytest.raises(C1ZError, match="has no sync nope"):
        C1ZReader.open(path, sync_id="nope")


def test_filters_and_lookups(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    write_sync(path, "g1")
    with C1ZReader.open(path) as reader:
        assert [rt.id for rt in reader.resource_types()] == ["group", "user"]
        assert [r.id.resource for r in reader.resources()] == ["g1", "u1"]
        assert [r.id.resource for r in reader.resources(parent=("group", "g1"))] == ["u1"]
        assert [e.id for e in reader.entitlements("group", "g1")] == ["group:g1:member"]
        assert [e.id for e in reader.entitlements("space")] == []
        assert [g.principal.id.resource for g in reader.grants(entitlement_id="group:g1:member")] == ["u1"]
        assert [g.id for g in reader.grants(principal_type="group", principal_id="g1")] == ["space:s1:read:group:g1"]
        assert [g.id for g in reader.grants(resource_type_id="space")] == ["space:s1:read:group:g1"]
        found = reader.get_grant("group:g1:member:user:u1")
        assert found is not None and found.principal.id.resource == "u1"
        assert reader.get_resource_type("user") is not None
        assert reader.get_resource("user", "nope") is None


def test_expansion_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    write_sync(path, "g1")
    with C1ZReader.open(path) as reader:
        plain = reader.get_grant("space:s1:read:group:g1")
        assert plain is not None and list(plain.annotations) == []
        (expanded,) = reader.grants(resource_type_id="space", with_expansion=True)
        (annotation,) = expanded.annotations
        assert annotation.type_url == "type.googleapis.com/c1.connector.v2.GrantExpandable"
        unpacked = pb.grant_annotations.GrantExpandable()
        annotation.Unpack(unpacked)
        assert list(unpacked.entitlement_ids) == ["group:g1:member"]


def test_temp_copy_removed_and_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    write_sync(path, "g1")
    before = path.read_bytes()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    reader = C1ZReader.open(path, tmp_dir=scratch)
    assert len(list(scratch.iterdir())) == 1
    reader.close()
    assert list(scratch.iterdir()) == []
    assert path.read_bytes() == before
