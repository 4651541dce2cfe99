"""ServiceConfig checks and the values it resolves from the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from baton_confluence.baton.service import ServiceConfig, ServiceConfigError
from baton_confluence.baton.service.platform import api_target


def config(**values: Any) -> ServiceConfig:
    return ServiceConfig(client_id="a@b/c", client_secret="s", **values)


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"task_concurrency": 0}, "--task-concurrency must be between 1 and 100"),
        ({"task_concurrency": 101}, "--task-concurrency must be between 1 and 100"),
        ({"health_check": True, "health_check_port": 0}, "--health-check-port"),
        ({"temp_dir": Path("/nonexistent/dir")}, "--c1z-temp-dir /nonexistent/dir is not an existing directory"),
    ],
)
def test_check_rejects_unusable_values(values: dict[str, object], complaint: str) -> None:
    with pytest.raises(ServiceConfigError, match=complaint):
        config(**values).check()


def test_check_needs_both_credentials() -> None:
    with pytest.raises(ServiceConfigError, match="both --client-id and --client-secret"):
        ServiceConfig(client_id="a@b/c", client_secret="").check()


def test_host_id_prefers_the_setting_then_the_variable() -> None:
    assert config(host_id="set").resolved_host_id({"BATON_HOST_ID": "env"}) == "set"
    assert config().resolved_host_id({"BATON_HOST_ID": "env"}) == "env"
    assert config().resolved_host_id({})  # the hostname


def test_root_certificates_from_the_setting_or_the_variable(tmp_path: Path) -> None:
    pem = tmp_path / "ca.pem"
    pem.write_bytes(b"-----BEGIN CERTIFICATE-----\n")
    assert config().root_certificates({}) is None
    assert config().root_certificates({"BATON_C1_API_CA_FILE": str(pem)}) == pem.read_bytes()
    assert config(c1_api_ca_file=pem).root_certificates({"BATON_C1_API_CA_FILE": "/elsewhere"}) == pem.read_bytes()
    with pytest.raises(ServiceConfigError, match="cannot read the ConductorOne CA file"):
        config(c1_api_ca_file=tmp_path / "missing.pem").root_certificates({})


@pytest.mark.parametrize(
    ("host", "target"),
    [
        ("acme.conductor.one", "acme.conductor.one:443"),
        ("127.0.0.1:9443", "127.0.0.1:9443"),
        ("[::1]:8443", "[::1]:8443"),
        ("[::1]", "[::1]:443"),
        ("::1", "[::1]:443"),
    ],
)
def test_api_target_defaults_to_port_443(host: str, target: str) -> None:
    assert api_target(host) == target
