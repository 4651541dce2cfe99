"""The committed generated protobuf modules are reproducible, and the wire facts we rely on hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from google.protobuf import any_pb2, json_format

from baton_confluence.baton import pb

REPO_ROOT = Path(__file__).resolve().parents[1]
COMMITTED = REPO_ROOT / "baton_confluence" / "pb"
GEN_SCRIPT = REPO_ROOT / "scripts" / "gen_protos.py"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_generated_code_is_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "pb"
    proc = subprocess.run(
        [sys.executable, str(GEN_SCRIPT), "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"gen_protos.py failed:\n{proc.stdout}\n{proc.stderr}"
    fresh = _tree(out)
    committed = _tree(COMMITTED)
    hint = "baton_confluence/pb is out of date with proto/: run `make protos` and commit the result"
    missing = sorted(set(fresh) - set(committed))
    extra = sorted(set(committed) - set(fresh))
    assert not missing, f"{hint}; missing files: {missing}"
    assert not extra, f"{hint}; stale files: {extra}"
    changed = sorted(name for name in fresh if fresh[name] != committed[name])
    assert not changed, f"{hint}; differing files: {changed}"


def test_generation_is_deterministic(tmp_path: Path) -> None:
    trees = []
    for name in ("a", "b"):
        out = tmp_path / name
        subprocess.run([sys.executable, str(GEN_SCRIPT), "--out", str(out)], cwd=REPO_ROOT, check=True)
        trees.append(_tree(out))
    assert trees[0] == trees[1]


def test_generated_imports_are_rewritten() -> None:
    for path in sorted(COMMITTED.rglob("*.py*")):
        if "__pycache__" in path.parts:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            assert not stripped.startswith(("from c1.", "import c1.", "from c1 ", "import c1 ")), (path, line)


def _field_numbers(message: type) -> dict[str, int]:
    return {f.name: f.number for f in message.DESCRIPTOR.fields}  # type: ignore[attr-defined]


def test_connector_field_numbers() -> None:
    assert _field_numbers(pb.resource.ResourceId) == {"resource_type": 1, "resource": 2, "baton_resource": 3}
    assert _field_numbers(pb.resource.Resource) == {
        "id": 1,
        "parent_resource_id": 2,
        "display_name": 3,
        "annotations": 4,
        "description": 5,
        "baton_resource": 6,
        "external_id": 7,
        "creation_source": 8,
        "profile": 9,
        "icon": 10,
        "status": 11,
        "created_at": 12,
    }
    assert _field_numbers(pb.grant.Grant) == {
        "entitlement": 1,
        "principal": 2,
        "id": 3,
        "annotations": 4,
        "sources": 5,
    }
    assert pb.grant.Grant.DESCRIPTOR.fields_by_name["sources"].number == 5
    assert _field_numbers(pb.entitlement.Entitlement)["purpose"] == 7
    assert _field_numbers(pb.entitlement.Entitlement)["slug"] == 8
    assert _field_numbers(pb.resource.ResourcesServiceListResourcesRequest) == {
        "resource_type_id": 1,
        "parent_resource_id": 2,
        "page_size": 3,
        "page_token": 4,
        "annotations": 5,
        "active_sync_id": 6,
        "trait": 7,
    }
    assert _field_numbers(pb.trait.UserTrait)["employee_ids"] == 13
    assert _field_numbers(pb.trait.ScopeBindingTrait) == {"role_id": 1, "scope_resource_id": 2}
    assert _field_numbers(pb.connector.ResourceTypeCapability)["deprecated"] == 7
    assert _field_numbers(pb.connector.ConnectorMetadata)["capabilities"] == 8


def test_enum_values() -> None:
    purpose = pb.entitlement.Entitlement.PurposeValue
    assert purpose.Value("PURPOSE_VALUE_UNSPECIFIED") == 0
    assert purpose.Value("PURPOSE_VALUE_ASSIGNMENT") == 1
    assert purpose.Value("PURPOSE_VALUE_PERMISSION") == 2
    assert purpose.Value("PURPOSE_VALUE_OWNERSHIP") == 3
    trait_enum = pb.resource.ResourceType.Trait
    assert trait_enum.Value("TRAIT_USER") == 1
    assert trait_enum.Value("TRAIT_GROUP") == 2
    assert trait_enum.Value("TRAIT_ROLE") == 3
    assert trait_enum.Value("TRAIT_SCOPE_BINDING") == 7
    assert trait_enum.Value("TRAIT_MANAGED_DEVICE") == 12
    assert pb.connector.Capability.Value("CAPABILITY_PROVISION") == 1
    assert pb.connector.Capability.Value("CAPABILITY_SYNC") == 2
    assert pb.connector.Capability.Value("CAPABILITY_TARGETED_SYNC") == 11
    assert pb.trait.UserTrait.Status.Status.Value("STATUS_ENABLED") == 1
    assert pb.trait.UserTrait.AccountType.Value("ACCOUNT_TYPE_HUMAN") == 1
    assert pb.ratelimit.RateLimitDescription.Status.Value("STATUS_OVERLIMIT") == 2


def test_annotation_type_urls() -> None:
    packed = any_pb2.Any()
    packed.Pack(pb.grant_annotations.GrantExpandable(entitlement_ids=["group:1:member"]))
    assert packed.type_url == "type.googleapis.com/c1.connector.v2.GrantExpandable"
    expected = {
        pb.trait.UserTrait: "c1.connector.v2.UserTrait",
        pb.trait.ScopeBindingTrait: "c1.connector.v2.ScopeBindingTrait",
        pb.resource_tree.SkipEntitlementsAndGrants: "c1.connector.v2.SkipEntitlementsAndGrants",
        pb.resource_tree.ChildResourceType: "c1.connector.v2.ChildResourceType",
        pb.connector.OptInRequired: "c1.connector.v2.OptInRequired",
        pb.ratelimit.RateLimitDescription: "c1.connector.v2.RateLimitDescription",
        pb.external_link.ExternalLink: "c1.connector.v2.ExternalLink",
        pb.baton_id.BatonID: "c1.connector.v2.BatonID",
        pb.connector.ConnectorCapabilities: "c1.connector.v2.ConnectorCapabilities",
        pb.config.Configuration: "c1.config.v1.Configuration",
        pb.sync_details.SyncDetails: "c1.c1z.v1.SyncDetails",
        pb.reader_sync.SyncStats: "c1.reader.v2.SyncStats",
    }
    for message, full_name in expected.items():
        assert message.DESCRIPTOR.full_name == full_name  # type: ignore[attr-defined]


def test_baton_service_wire_facts() -> None:
    service = pb.baton.DESCRIPTOR.services_by_name["BatonService"]
    assert service.full_name == "c1.connectorapi.baton.v1.BatonService"
    paths = {f"/{service.full_name}/{m.name}" for m in service.methods}
    assert "/c1.connectorapi.baton.v1.BatonService/Hello" in paths
    assert {"GetTask", "Heartbeat", "FinishTask", "UploadAsset"} <= {m.name for m in service.methods}
    assert service.methods_by_name["UploadAsset"].client_streaming

    finish = pb.baton.BatonServiceFinishTaskRequest.DESCRIPTOR
    assert {f.name: f.number for f in finish.oneofs_by_name["final_state"].fields} == {
        "error": 100,
        "success": 101,
    }
    assert finish.fields_by_name["status"].message_type.full_name == "google.rpc.Status"

    # Every task type of upstream's Task oneof (docs/protocol.md §4.2), same names and numbers.
    task_types = {
        "none": 100,
        "hello": 101,
        "sync_full": 102,
        "grant": 103,
        "revoke": 104,
        "create_account": 105,
        "create_resource": 106,
        "delete_resource": 107,
        "rotate_credentials": 108,
        "event_feed": 109,
        "create_ticket_task": 110,
        "list_ticket_schemas": 111,
        "get_ticket": 112,
        "bulk_create_tickets": 113,
        "bulk_get_tickets": 114,
        "action_list_schemas": 115,
        "action_get_schema": 116,
        "action_invoke": 117,
        "action_status": 118,
        "create_sync_diff": 119,
        "compact_syncs": 120,
        "list_event_feeds": 121,
        "list_events": 122,
        "issue_credential": 123,
    }
    task = pb.baton.Task.DESCRIPTOR
    assert {f.name: f.number for f in task.oneofs_by_name["task_type"].fields} == task_types
    assert _field_numbers(pb.baton.Task) == {"id": 1, "status": 2, "debug": 3, **task_types}
    feeds = pb.event_feed.ListEventFeedsResponse.DESCRIPTOR
    assert feeds.full_name == "c1.connector.v2.ListEventFeedsResponse"
    assert _field_numbers(pb.event_feed.ListEventFeedsResponse) == {"list": 1, "annotations": 2}


def test_connector_service_method_paths() -> None:
    names = {
        "ConnectorService": (pb.connector, {"GetMetadata", "Validate", "Cleanup"}),
        "ResourceTypesService": (pb.resource, {"ListResourceTypes"}),
        "ResourcesService": (pb.resource, {"ListResources"}),
        "ResourceGetterService": (pb.resource, {"GetResource"}),
        "EntitlementsService": (pb.entitlement, {"ListEntitlements", "ListStaticEntitlements"}),
        "GrantsService": (pb.grant, {"ListGrants"}),
        "GrantManagerService": (pb.grant, {"Grant", "Revoke"}),
    }
    for service_name, (module, methods) in names.items():
        service = module.DESCRIPTOR.services_by_name[service_name]
        assert service.full_name == f"c1.connector.v2.{service_name}"
        assert {m.name for m in service.methods} == methods


def test_resource_serialization_bytes() -> None:
    res = pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type="user", resource="x"),
        display_name="Alice",
    )
    # field 1 (id, LEN 9): field 1 "user", field 2 "x"; field 3 (display_name, LEN 5) "Alice"
    expected = bytes([0x0A, 0x09, 0x0A, 0x04]) + b"user" + bytes([0x12, 0x01]) + b"x"
    expected += bytes([0x1A, 0x05]) + b"Alice"
    assert res.SerializeToString(deterministic=True) == expected
    assert pb.resource.Resource.FromString(expected) == res


def test_unknown_task_type_is_preserved_as_unknown_field() -> None:
    # A task type newer than these protos (field 199): it must parse without error and leave
    # task_type unset, so the runner can report the task as unsupported.
    raw = bytes([0x0A, 0x01]) + b"t" + bytes([0xBA, 0x0C, 0x00])  # id="t", field 199 LEN 0
    task = pb.baton.Task.FromString(raw)
    assert task.id == "t"
    assert task.WhichOneof("task_type") is None
    assert task.SerializeToString() == raw


def test_protojson_names() -> None:
    caps = pb.connector.ConnectorCapabilities(
        resource_type_capabilities=[
            pb.connector.ResourceTypeCapability(
                resource_type=pb.resource.ResourceType(id="user", display_name="User"),
                capabilities=[pb.connector.Capability.CAPABILITY_SYNC],
                permissions=pb.connector.CapabilityPermissions(),
                opt_in_required=True,
            )
        ],
        credential_details=pb.connector.CredentialDetails(),
    )
    as_json = json_format.MessageToDict(caps)
    assert as_json["resourceTypeCapabilities"][0]["optInRequired"] is True
    assert as_json["resourceTypeCapabilities"][0]["capabilities"] == ["CAPABILITY_SYNC"]
    assert as_json["resourceTypeCapabilities"][0]["permissions"] == {}
    assert as_json["credentialDetails"] == {}

    field = pb.config.Field(name="x", is_ops=True, int_field=pb.config.IntField(default_value=5))
    assert json_format.MessageToDict(field) == {"name": "x", "isOps": True, "intField": {"defaultValue": "5"}}
