"""`capabilities` and `config` print the upstream JSON shapes (docs/protocol.md §5.3)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli import run_cli


def test_capabilities_shape(tmp_path: Path) -> None:
    result = run_cli(["capabilities"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert not result.stdout.endswith("\n")  # like json.Indent output upstream
    caps = json.loads(result.stdout)
    assert caps["@type"] == "type.googleapis.com/c1.connector.v2.ConnectorCapabilities"
    entries = caps["resourceTypeCapabilities"]
    assert [e["resourceType"]["id"] for e in entries] == [
        "access_class",
        "blogpost",
        "group",
        "page",
        "site",
        "space",
        "space_role",
        "space_role_assignment",
        "user",
    ]
    by_id = {e["resourceType"]["id"]: e for e in entries}
    assert by_id["site"]["capabilities"] == ["CAPABILITY_SYNC"]  # read-only: global permissions are not provisioned
    assert by_id["group"]["capabilities"] == ["CAPABILITY_SYNC", "CAPABILITY_PROVISION"]
    assert by_id["user"]["capabilities"] == ["CAPABILITY_SYNC"]
    assert by_id["user"]["resourceType"]["traits"] == ["TRAIT_USER"]
    assert by_id["space_role"]["optInRequired"] is True and "optInRequired" not in by_id["space"]
    assert by_id["space_role_assignment"]["resourceType"]["traits"] == ["TRAIT_SCOPE_BINDING"]
    access_class = by_id["access_class"]
    assert access_class["capabilities"] == ["CAPABILITY_SYNC"] and "optInRequired" not in access_class
    assert access_class["resourceType"]["traits"] == ["TRAIT_GROUP"]
    assert [a["@type"] for a in access_class["resourceType"]["annotations"]] == [
        "type.googleapis.com/c1.connector.v2.SkipEntitlementsAndGrants"
    ]
    for content in ("page", "blogpost"):
        assert by_id[content]["optInRequired"] is True
        assert by_id[content]["capabilities"] == ["CAPABILITY_SYNC", "CAPABILITY_PROVISION"]
        assert "not supported on Data Center" in by_id[content]["resourceType"]["description"]
    assert all(e["permissions"] == {} for e in entries)
    assert caps["connectorCapabilities"] == ["CAPABILITY_PROVISION", "CAPABILITY_SYNC"]
    assert caps["credentialDetails"] == {}


def test_config_schema_keeps_upstream_fields(tmp_path: Path) -> None:
    result = run_cli(["config"], tmp_path)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert (schema["displayName"], schema["helpUrl"], schema["iconUrl"]) == (
        "Confluence",
        "/docs/baton/confluence",
        "/static/app-icons/confluence.svg",
    )
    fields = {f["name"]: f for f in schema["fields"]}
    connector = [f["name"] for f in schema["fields"] if not f.get("isOps")]
    assert connector == ["api-key", "domain-url", "username", "skip-personal-spaces", "noun", "verb", "use-rbac"]
    assert fields["api-key"]["isSecret"] is True and fields["api-key"]["isRequired"] is True
    assert fields["api-key"]["stringField"] == {"rules": {"isRequired": True}}
    assert fields["domain-url"]["description"] == "The domain URL for your Confluence account"
    assert fields["domain-url"]["placeholder"] == "https://example.atlassian.net"
    assert fields["noun"]["stringSliceField"] == {"rules": {}, "suggestedValue": ["space"]}
    assert fields["verb"]["stringSliceField"]["suggestedValue"] == [
        "administer",
        "create",
        "delete",
        "export",
        "read",
        "restrict_content",
    ]
    assert fields["http-timeout-seconds"]["intField"] == {"defaultValue": "300", "rules": {"lte": "1800", "gte": "1"}}
    assert "client-secret" not in fields and "file" not in fields  # not exported, as upstream


def test_help_reads_well(tmp_path: Path) -> None:
    result = run_cli(["--help"], tmp_path)
    assert result.returncode == 0
    for text in ("demo", "inspect", "BATON_DOMAIN_URL", "exit codes", "Confluence:"):
        assert text in result.stdout
