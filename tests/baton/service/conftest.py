"""The fake ConductorOne platform (token endpoint + BatonService, TLS from a test CA) and a harness
that runs `run_service` against it on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from baton_confluence.baton.service import ServiceConfig, Timing, run_service
from baton_confluence.baton.service.config import CA_FILE_ENV, HOST_ID_ENV
from baton_confluence.baton.service.credentials import API_HOST_ENV
from baton_confluence.baton.syncer import Connector
from tests.baton.service.credentials_util import TestClient, make_client
from tests.baton.service.fake_baton import FakeBatonServer, FakeBatonService
from tests.baton.service.token_server import TokenEndpoint, TokenServer
from tests.pki import Pki, make_pki

# The platform paces everything in these tests; only the floors need lowering.
FAST = Timing(hello_backoff_initial=0.05, heartbeat_min=0.05)
STOP_TIMEOUT = 15.0


@dataclass
class Running:
    service: FakeBatonService
    task: asyncio.Task[None]
    stop: asyncio.Event
    config: ServiceConfig

    async def outcome(self, timeout: float = 10.0) -> BaseException | None:
        """Waits for run_service to return; its exception, or None."""
        done, _ = await asyncio.wait({self.task}, timeout=timeout)
        assert done, "run_service did not return"
        return self.task.exception()


@dataclass
class Platform:
    pki: Pki
    ca_file: Path
    endpoint: TokenEndpoint
    token_host: str
    client: TestClient
    workdir: Path
    defaults: dict[str, Any] = field(default_factory=dict)

    def config(self, api_host: str, **overrides: Any) -> ServiceConfig:
        values: dict[str, Any] = {
            "client_id": self.client.client_id,
            "client_secret": self.client.client_secret,
            "api_host": api_host,
            "c1_api_ca_file": self.ca_file,
            "host_id": "test-host",
            "temp_dir": self.workdir,
            "shutdown_grace_seconds": 5.0,
        }
        values.update(overrides)
        return ServiceConfig(**values)

    @asynccontextmanager
    async def serving(
        self, factory: Callable[[], Connector], timing: Timing = FAST, **overrides: Any
    ) -> AsyncIterator[Running]:
        """The fake BatonService up, and run_service running against it until the block ends."""
        service = FakeBatonService(self.endpoint.issued)
        async with FakeBatonServer(service, self.pki.cert_pem, self.pki.key_pem) as server:
            stop = asyncio.Event()
            config = self.config(server.host, **overrides)
            task = asyncio.create_task(run_service(config, factory, stop=stop, timing=timing))
            running = Running(service, task, stop, config)
            try:
                yield running
            finally:
                stop.set()
                await asyncio.wait({task}, timeout=STOP_TIMEOUT)
                assert task.done(), "run_service did not stop"


@pytest.fixture(scope="session")
def pki() -> Pki:
    return make_pki()


@pytest.fixture()
def platform(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    for var in (API_HOST_ENV, HOST_ID_ENV, CA_FILE_ENV):
        monkeypatch.delenv(var, raising=False)
    certs = tmp_path / "certs"
    certs.mkdir()
    ca_file, cert_file, key_file = pki.write(certs)
    work = tmp_path / "work"
    work.mkdir()
    endpoint = TokenEndpoint()
    with TokenServer(endpoint, cert_file, key_file) as server:
        client = make_client(server.host)
        endpoint.clients[client.client_id] = client.public_key
        yield Platform(pki, ca_file, endpoint, server.host, client, work)
