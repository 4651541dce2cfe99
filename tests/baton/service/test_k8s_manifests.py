"""The Kubernetes manifests, validated offline.

PyYAML parses them; the checks are the fields Kubernetes requires and the promises the docs
make: env comes from the Secret's keys and names real settings, the probes hit the health
endpoints on the port the service listens on, the pod runs locked down, and its scratch
volume and ephemeral-storage are sized by the rule docs/service-mode.md states. The documents
are also checked against the Kubernetes OpenAPI schemas (strict) by `kubernetes-validate`
(part of the test extra).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from baton_confluence.confluence.settings import ConfluenceSettings

ROOT = Path(__file__).resolve().parents[3]
MANIFESTS = sorted((ROOT / "k8s").glob("*.yaml"))
SERVICE_DOC = ROOT / "docs" / "service-mode.md"
QUANTITY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
REQUIRED_ENV = {"BATON_CLIENT_ID", "BATON_CLIENT_SECRET", "BATON_DOMAIN_URL", "BATON_USERNAME", "BATON_API_KEY"}
OPTIONAL_ENV = {"BATON_PROVISIONING", "BATON_SKIP_PERSONAL_SPACES"}
RUNTIME_ENV = {"BATON_HOST_ID"}  # read by service mode itself, not a flag


def documents() -> list[dict[str, Any]]:
    docs = [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    assert docs, "no manifests under k8s/"
    return docs


def one(kind: str) -> dict[str, Any]:
    found = [d for d in documents() if d.get("kind") == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def container() -> dict[str, Any]:
    containers = one("Deployment")["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    result: dict[str, Any] = containers[0]
    return result


def env() -> dict[str, dict[str, Any]]:
    entries = container()["env"]
    names = [e["name"] for e in entries]
    assert len(names) == len(set(names)), "duplicate env names"
    return {e["name"]: e for e in entries}


def test_every_document_has_the_required_top_level_fields() -> None:
    for doc in documents():
        assert isinstance(doc.get("apiVersion"), str) and isinstance(doc.get("kind"), str)
        assert doc["metadata"]["name"]
        labels = doc["metadata"].get("labels", {})
        assert all(isinstance(v, str) for v in labels.values()), "label values must be strings"
    assert (one("Secret")["apiVersion"], one("Deployment")["apiVersion"]) == ("v1", "apps/v1")


def test_secret_holds_string_values_for_every_credential() -> None:
    secret = one("Secret")
    data = secret["stringData"]
    assert secret["type"] == "Opaque"
    assert set(data) >= REQUIRED_ENV | OPTIONAL_ENV
    assert all(isinstance(v, str) for v in data.values()), "stringData values must be strings (quote booleans)"


def test_env_reads_the_secret_keys_and_names_real_settings() -> None:
    secret = one("Secret")
    variables = env()
    assert set(variables) >= REQUIRED_ENV | OPTIONAL_ENV
    settings = {"BATON_" + name.upper() for name in ConfluenceSettings.model_fields}
    for name, entry in variables.items():
        assert name in settings | RUNTIME_ENV, f"{name} is not a setting the connector reads"
        if "value" in entry:
            assert isinstance(entry["value"], str), f"{name}: env values must be strings"
            continue
        ref = entry["valueFrom"]["secretKeyRef"]
        assert ref["name"] == secret["metadata"]["name"] and ref["key"] in secret["stringData"]
        assert ref.get("optional", False) == (name in OPTIONAL_ENV), f"{name}: only optional settings may be optional"
    for name in REQUIRED_ENV:
        assert "secretKeyRef" in variables[name].get("valueFrom", {}), f"{name} must come from the Secret"


def test_probes_use_the_health_endpoints_on_the_served_port() -> None:
    c, variables = container(), env()
    assert variables["BATON_HEALTH_CHECK"]["value"] == "true"
    assert variables["BATON_HEALTH_CHECK_BIND_ADDRESS"]["value"] == "0.0.0.0", "the kubelet probes from outside the pod"
    port = int(variables["BATON_HEALTH_CHECK_PORT"]["value"])
    ports = {p.get("name"): p["containerPort"] for p in c["ports"]}
    for probe, path in (("livenessProbe", "/live"), ("readinessProbe", "/ready")):
        get = c[probe]["httpGet"]
        assert get["path"] == path
        assert (ports[get["port"]] if isinstance(get["port"], str) else get["port"]) == port


def test_deployment_selects_its_pods_and_sets_resources() -> None:
    spec = one("Deployment")["spec"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    assert spec["replicas"] == 1
    resources = container()["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"]) and {"cpu", "memory"} <= set(resources["limits"])
    image = container()["image"]
    assert ":" in image and not image.endswith(":latest"), "pin the image tag"


def test_pod_runs_locked_down_with_a_writable_tmp() -> None:
    pod = one("Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["automountServiceAccountToken"] is False
    security = container()["securityContext"]
    assert security["allowPrivilegeEscalation"] is False and security["readOnlyRootFilesystem"] is True
    assert security["capabilities"]["drop"] == ["ALL"] and not security.get("privileged", False)
    mounts = {m["mountPath"]: m["name"] for m in container()["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]


def quantity_bytes(value: str) -> int:
    """A Kubernetes quantity ("15Gi", "500M", "1000") in bytes."""
    number, suffix = re.fullmatch(r"(\d+)([A-Za-z]*)", value).groups()  # type: ignore[union-attr]
    return int(number) * (QUANTITY_SUFFIXES[suffix] if suffix else 1)


def doc_figure(row: str) -> int:
    """An integer from the sizing table of docs/service-mode.md, by the row's first cell."""
    found = re.search(rf"^\| {re.escape(row)} \| ([\d,]+) ", SERVICE_DOC.read_text(), re.MULTILINE)
    assert found, f"docs/service-mode.md has no sizing row {row!r}"
    return int(found.group(1).replace(",", ""))


def test_scratch_volume_and_ephemeral_storage_follow_the_documented_rule() -> None:
    # Issue 16: a 2 GiB /tmp evicts the pod mid-sync on a site with millions of grants.
    measured, rule = doc_figure("measured peak scratch per grant"), doc_figure("sizing rule per grant")
    grants = doc_figure("grants the manifest is sized for")
    assert measured < rule, "the rule leaves headroom over the measurement"
    pod = one("Deployment")["spec"]["template"]["spec"]
    tmp = {v["name"]: v for v in pod["volumes"]}[{m["mountPath"]: m["name"] for m in container()["volumeMounts"]}["/tmp"]]
    size_limit = quantity_bytes(tmp["emptyDir"]["sizeLimit"])
    assert size_limit >= grants * rule
    resources = container()["resources"]
    requested = quantity_bytes(resources["requests"]["ephemeral-storage"])
    limit = quantity_bytes(resources["limits"]["ephemeral-storage"])
    # The kubelet counts the emptyDir against the pod's ephemeral-storage: the request must
    # place the pod on a node with room for a full volume, the limit must not evict it first.
    assert size_limit <= requested <= limit


def test_quantity_bytes() -> None:
    assert [quantity_bytes(q) for q in ("15Gi", "2Gi", "512Mi", "3G", "1000")] == [
        15 * 1024**3, 2 * 1024**3, 512 * 1024**2, 3 * 10**9, 1000
    ]  # fmt: skip


def test_manifests_match_the_kubernetes_schemas() -> None:
    for doc in documents():
        kubernetes_validate.validate(doc, "1.30.0", strict=True)
