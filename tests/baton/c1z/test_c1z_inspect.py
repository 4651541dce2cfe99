"""The inspect renderers: aligned tables and one JSON document per call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from c1z_helpers import entitlement, grant, resource, resource_type

from baton_confluence.baton import annotations as annos
from baton_confluence.baton import pb
from baton_confluence.baton.c1z import C1ZReader, SyncStore
from baton_confluence.baton.errors import UsageError
from baton_confluence.baton.inspect import KINDS, derived_marker, render


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[C1ZReader]:
    path = tmp_path / "sync.c1z"
    with SyncStore.open(path) as store:
        store.start_or_resume_sync()
        group = resource("group", "g1", "Engineers")
        space = resource("space", "s1", "Handbook")
        member = entitlement(group, "member")
        read = entitlement(space, "read")
        user_type = resource_type("user")
        user_type.traits.append(pb.resource.ResourceType.TRAIT_USER)
        store.put_resource_types([user_type, resource_type("group"), resource_type("space")])
        store.put_resources([group, space, resource("user", "u1", "Ada Lovelace", parent=("group", "g1"))])
        store.put_entitlements([member, read])
        derived = grant(read, resource("user", "u1"))
        derived.sources.sources[member.id].is_direct = False
        derived.annotations.append(annos.pack(pb.grant_annotations.GrantImmutable()))
        store.put_grants([grant(member, resource("user", "u1")), grant(read, group, expand=[member.id]), derived])
        store.end_sync()
        store.finalize()
    opened = C1ZReader.open(path)
    yield opened
    opened.close()


def test_tables(reader: C1ZReader) -> None:
    assert render("resource-types", reader).splitlines() == [
        "ID     DISPLAY NAME  TRAITS",
        "user   User          user",
        "group  Group",
        "space  Space",
    ]
    assert render("resources", reader, resource_type="user").splitlines() == [
        "RESOURCE TYPE  ID  DISPLAY NAME  PARENT",
        "user           u1  Ada Lovelace  group:g1",
    ]
    assert render("entitlements", reader).splitlines() == [
        "ID               DISPLAY NAME  PURPOSE",
        "group:g1:member  member        assignment",
        "space:s1:read    read          assignment",
    ]
    assert render("grants", reader, resource_type="space").splitlines() == [
        "ENTITLEMENT       PRINCIPAL  DERIVED",
        "space:s1:read  →  group:g1",
        "space:s1:read  →  user:u1    yes (via group:g1:member)",
    ]
    assert render("grants", reader, principal_type="user", principal_id="nobody").splitlines() == [
        "ENTITLEMENT    PRINCIPAL  DERIVED",
        "(none)",
    ]


def test_syncs_and_stats(reader: C1ZReader) -> None:
    syncs = render("syncs", reader).splitlines()
    assert syncs[0].split() == ["SYNC", "ID", "TYPE", "STARTED", "ENDED", "RESOURCES", "ENTITLEMENTS", "GRANTS"]
    assert syncs[1].startswith(f"*  {reader.sync_id}  full  ")
    assert syncs[1].split()[-3:] == ["3", "2", "3"]
    stats = {line.split()[0]: line.split()[1] for line in render("stats", reader).splitlines()[1:]}
    assert stats["grants"] == "3" and stats["grants[space]"] == "2" and stats["resources[user]"] == "1"
    doc = json.loads(render("stats", reader, output="json"))
    assert doc["sync_id"] == reader.sync_id and doc["grants"] == 3


def test_json_is_one_document_of_objects(reader: C1ZReader) -> None:
    for kind in KINDS:
        doc = json.loads(render(kind, reader, output="json"))
        assert isinstance(doc, dict if kind == "stats" else list)
    grants = json.loads(render("grants", reader, output="json", entitlement_id="group:g1:member"))
    assert grants == [
        {
            "entitlement": json.loads(render("entitlements", reader, output="json"))[0],
            "principal": {"id": {"resourceType": "user", "resource": "u1"}},
            "id": "group:g1:member:user:u1",
        }
    ]


def test_derived_marker() -> None:
    ent = entitlement(resource("space", "s1"), "read")
    direct = grant(ent, resource("user", "u1"))
    assert derived_marker(direct) == ""
    direct.sources.sources[ent.id].is_direct = True
    direct.sources.sources["group:g1:member"].is_direct = False
    assert derived_marker(direct) == "also via group:g1:member"


def test_unknown_kind(reader: C1ZReader) -> None:
    with pytest.raises(UsageError, match="unknown kind"):
        render("users", reader)


def test_stats_of_a_file_with_only_a_resources_only_sync(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    with SyncStore.open(path) as store:
        sync_id, _ = store.start_or_resume_sync("resources_only")
        store.put_resource_types([resource_type("group")])
        store.put_resources([resource("group", "g1", "Engineers"), resource("group", "g2", "Admins")])
        store.end_sync()
        store.finalize()
    with C1ZReader.open(path) as reader:
        assert reader.sync_id is None  # no full sync to show by default, as Go readers
        doc = json.loads(render("stats", reader, output="json"))
        assert doc["sync_id"] == sync_id and doc["resources"] == 2
        assert render("stats", reader).splitlines()[1].split() == ["sync", sync_id]
