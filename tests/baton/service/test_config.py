"""ServiceConfig checks and the values it resolves from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import structlog.testing

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


def confluence_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Any:
    from baton_confluence.confluence.settings import ConfluenceSettings

    monkeypatch.chdir(tmp_path)  # no .baton.yaml from the working directory
    for name in list(os.environ):
        if name.startswith("BATON_"):
            monkeypatch.delenv(name)
    for name, value in {"BATON_CLIENT_ID": "a@b/c", "BATON_CLIENT_SECRET": "s", **env}.items():
        monkeypatch.setenv(name, value)
    return ConfluenceSettings()


def test_local_skip_variables_stay_out_of_the_service_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from baton_confluence.cli.commands import service_config

    settings = confluence_settings(
        monkeypatch,
        tmp_path,
        BATON_SKIP_ENTITLEMENTS_AND_GRANTS="true",
        BATON_SYNC_RESOURCES="space:1",
        BATON_SYNC_RESOURCE_TYPES="user,group",
    )
    with structlog.testing.capture_logs() as logs:
        defaults = service_config(settings).sync_options
    assert not defaults.skip_entitlements_and_grants and not defaults.skip_grants and defaults.targets == ()
    said = [e for e in logs if e["event"] == "local_sync_settings_ignored"]
    assert [e["settings"] for e in said] == [["--skip-entitlements-and-grants", "--sync-resources"]]
    assert tuple(defaults.resource_type_ids) == ("user", "group"), "as upstream, the default for tasks naming none"


def test_storage_engine_and_temp_dir_reach_the_service(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from baton_confluence.baton.runner.local_sync import StorageEngine
    from baton_confluence.cli.commands import service_config

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    settings = confluence_settings(
        monkeypatch, tmp_path, BATON_STORAGE_ENGINE="pebble", BATON_C1Z_TEMP_DIR=str(scratch)
    )
    config = service_config(settings)
    assert (config.storage_engine, config.temp_dir) == (StorageEngine.PEBBLE, scratch)


def test_skip_grants_without_targets_is_refused_in_service_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from baton_confluence.cli.commands import service_config
    from baton_confluence.cli.errors import UsageError

    settings = confluence_settings(monkeypatch, tmp_path, BATON_SKIP_GRANTS="true")
    with pytest.raises(UsageError, match="--skip-grants can only be set within a targeted sync"):
        service_config(settings)
