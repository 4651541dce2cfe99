"""Settings every Baton connector has (docs/protocol.md §5.2), resolved flag > env > YAML > default.

Environment variables are `BATON_<FLAG_NAME>`; lists are comma-separated; the YAML file is
`BATON_CONFIG_PATH` or `./.baton.yaml` with flag names as keys.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import field_validator
from pydantic.fields import FieldInfo as PydanticFieldInfo
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from baton_confluence.baton.config.field import Export, setting
from baton_confluence.baton.errors import UsageError

CommaList = Annotated[list[str], NoDecode]


class ConfigFileError(UsageError):
    """The config file (`.baton.yaml`, BATON_CONFIG_PATH) cannot be used."""


class YamlSource(PydanticBaseSettingsSource):
    """`.baton.yaml` with flag-style keys (`domain-url: …`)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self.values = self._load()

    @staticmethod
    def _load() -> dict[str, Any]:
        explicit = os.environ.get("BATON_CONFIG_PATH", "")
        path = Path(explicit or ".baton.yaml")
        if explicit and path.suffix not in (".yaml", ".yml"):
            raise ConfigFileError(f"BATON_CONFIG_PATH={explicit} must name a .yaml or .yml file")
        if not path.is_file():
            return {}
        try:
            raw = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as err:
            raise ConfigFileError(f"{path} is not valid YAML: {str(err).splitlines()[0]}") from None
        if not isinstance(raw, dict):
            raise ConfigFileError(f"{path} must hold a mapping of flag names to values")
        return {str(k).replace("-", "_"): v for k, v in raw.items()}

    def get_field_value(self, field: PydanticFieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self.values.items() if k in self.settings_cls.model_fields}


class BatonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BATON_", extra="ignore", validate_default=False)

    file: str = setting("sync.c1z", "The path to the c1z file to sync with", short="f")
    log_level: str = setting("info", "The log level: debug, info, warn, error", export=Export.OPS)
    log_format: str = setting("", "The output format for logs: json, console (default: console on a terminal)")
    client_id: str = setting("", "The client ID used to authenticate with ConductorOne (service mode)")
    client_secret: str = setting("", "The client secret used to authenticate with ConductorOne", secret=True)
    provisioning: bool = setting(False, "Enable granting and revoking entitlements", short="p")
    sync_resource_types: CommaList = setting([], "Only sync these resource types (comma-separated ids)")
    skip_entitlements_and_grants: bool = setting(False, "Sync resources only, without entitlements and grants")
    sync_resources: CommaList = setting(
        [],
        "Sync only these resources, their children, entitlements and grants, as a partial sync beside the full "
        "ones: <type>:<id> or bid:r:[<parent type>/<parent id>/]<type>/<id>, comma-separated",
    )
    skip_grants: bool = setting(
        False, "With --sync-resources: sync the resources' entitlements but not their grants", hidden=True
    )
    storage_engine: str = setting(
        "", "The c1z storage engine: sqlite or pebble; both write a SQLite (v1) c1z, the format the Go baton tools read"
    )
    c1z_temp_dir: str = setting(
        "", "An existing directory for the temporary c1z files of service-mode sync tasks", hidden=True
    )
    concurrency: int = setting(16, "Requests and per-resource sync steps kept in flight at once")
    checkpoint_interval_seconds: float = setting(
        5.0, "How often an interrupted sync's progress is saved, so a rerun resumes from there"
    )
    max_rps: float = setting(0.0, "Upper bound on API requests per second (0 = adaptive, no fixed bound)")
    http_timeout_seconds: int = setting(
        300, "HTTP client timeout in seconds (max 1800)", export=Export.OPS, rules=(("lte", 1800), ("gte", 1))
    )
    task_concurrency: int = setting(3, "Service mode: how many tasks run at once (1-100)")
    health_check: bool = setting(False, "Enable the HTTP health check endpoint", export=Export.OPS)
    health_check_port: int = setting(8081, "Port for the HTTP health check endpoint", export=Export.OPS)
    health_check_bind_address: str = setting(
        "127.0.0.1", "Bind address for health check server (127.0.0.1 for localhost-only)", export=Export.OPS
    )
    grant_entitlement: str = setting("", "One-shot: the entitlement id to grant (needs --grant-principal)")
    grant_principal: str = setting("", "One-shot: the resource id of the principal to grant to")
    grant_principal_type: str = setting("", "One-shot: the resource type of the principal to grant to")
    revoke_grant: str = setting("", "One-shot: the grant id to revoke")

    @field_validator("*", mode="before")
    @classmethod
    def split_lists(cls, value: Any, info: Any) -> Any:
        annotation = cls.model_fields[info.field_name].annotation
        if annotation == list[str] and isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, YamlSource(settings_cls))
