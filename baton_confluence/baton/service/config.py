"""What service mode needs to know, and why it stops.

`ServiceConfig` is filled by the command line from flags and BATON_* variables. The errors are
ConnectorErrors on purpose: the command line already turns a ConnectorError into one readable
line and exits with its gRPC code (16 unauthenticated, 3 invalid argument, ...), which is what
the Go SDK does for service mode too.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.runner.local_sync import StorageEngine
from baton_confluence.baton.sync.engine import SyncOptions


class ServiceError(ConnectorError):
    """Service mode cannot go on; the message is one line for the operator."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(code, message)


class ServiceConfigError(ServiceError):
    """A service-mode setting is malformed. Messages name the setting and never quote a secret."""

    def __init__(self, message: str) -> None:
        super().__init__(grpc.StatusCode.INVALID_ARGUMENT, message)


class PlatformError(ServiceError):
    """A call to the ConductorOne platform (token exchange or BatonService RPC) failed."""


HOST_ID_ENV = "BATON_HOST_ID"
CA_FILE_ENV = "BATON_C1_API_CA_FILE"
MAX_TASK_CONCURRENCY = 100
FALLBACK_HOST_ID = "baton-confluence"


@dataclass
class ServiceConfig:
    client_id: str
    client_secret: str = field(repr=False)
    task_concurrency: int = 3
    provisioning: bool = False
    health_check: bool = False
    health_check_port: int = 8081
    health_check_bind_address: str = "127.0.0.1"
    # What every sync task starts from: pace (concurrency, checkpoints) and resource types, which
    # a task's own sync_resource_type_ids replace. Skips and targets come from the task alone,
    # as upstream (docs/protocol.md §4.3); the ones set here are not used.
    sync_options: SyncOptions = field(default_factory=SyncOptions)
    # --storage-engine: wins over the task's storage_engine, as upstream; None lets the task say.
    storage_engine: StorageEngine | None = None
    # --c1z-temp-dir: where per-task c1z files are written (default: the system temp dir; must exist).
    temp_dir: Path | None = None
    # PEM bundle trusted *instead of* the system roots for ConductorOne (token endpoint and
    # BatonService): for a TLS-inspecting proxy or a test platform. Env: BATON_C1_API_CA_FILE.
    c1_api_ca_file: Path | None = None
    # host:port of the BatonService when it differs from the token host (tests, proxies).
    # BATON_C1_API_HOST (read with the credentials) moves both the token host and this one.
    api_host: str = ""
    # Names this instance to ConductorOne; default BATON_HOST_ID, else the hostname.
    host_id: str = ""
    # On SIGTERM: how long running grant/revoke tasks may take to finish before they are abandoned.
    shutdown_grace_seconds: float = 20.0

    def check(self) -> None:
        """Raises ServiceConfigError for values the service cannot run with."""
        if not self.client_id or not self.client_secret:
            raise ServiceConfigError("service mode needs both --client-id and --client-secret")
        if not 1 <= self.task_concurrency <= MAX_TASK_CONCURRENCY:
            raise ServiceConfigError(f"--task-concurrency must be between 1 and {MAX_TASK_CONCURRENCY}")
        if self.health_check and not 0 < self.health_check_port < 65536:
            raise ServiceConfigError("--health-check-port must be between 1 and 65535")
        if self.temp_dir is not None and not self.temp_dir.is_dir():
            raise ServiceConfigError(f"--c1z-temp-dir {self.temp_dir} is not an existing directory")

    def resolved_host_id(self, env: Mapping[str, str] | None = None) -> str:
        env = os.environ if env is None else env
        return self.host_id or env.get(HOST_ID_ENV) or socket.gethostname() or FALLBACK_HOST_ID

    def root_certificates(self, env: Mapping[str, str] | None = None) -> bytes | None:
        """The PEM bundle to trust, or None for the system roots."""
        env = os.environ if env is None else env
        path = self.c1_api_ca_file or (Path(env[CA_FILE_ENV]) if env.get(CA_FILE_ENV) else None)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError as err:
            raise ServiceConfigError(f"cannot read the ConductorOne CA file {path}: {err.strerror}") from None
