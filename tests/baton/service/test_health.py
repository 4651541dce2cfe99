"""The health endpoints, alone and inside a running service."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import grpc
import httpx
import pytest

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.service import ServiceConfigError
from baton_confluence.baton.service.health import HealthServer
from tests.baton.service.conftest import Platform
from tests.baton.service.connectors import Calls, library_factory
from tests.baton.service.fake_baton import eventually


async def get(port: int, path: str, method: str = "GET") -> tuple[int, Any]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        resp = await client.request(method, path)
        return resp.status_code, resp.json() if resp.content else None


def test_endpoints_answer_json() -> None:
    failing = [False]

    async def check() -> None:
        if failing[0]:
            raise ConnectorError(grpc.StatusCode.UNAUTHENTICATED, "the API key was revoked")

    async def scenario() -> None:
        server = HealthServer("127.0.0.1", 0, check)
        port = await server.start()
        try:
            status, body = await get(port, "/live")
            assert (status, body["status"]) == (200, "alive") and body["timestamp"].endswith("Z")
            assert (await get(port, "/ready"))[0] == 503
            server.ready = True
            assert (await get(port, "/ready"))[1]["status"] == "ready"
            assert (await get(port, "/health"))[1]["status"] == "healthy"
            failing[0] = True
            status, body = await get(port, "/health")
            assert status == 503 and body["status"] == "unhealthy"
            assert body["details"]["validation_error"] == "the API key was revoked"
            assert (await get(port, "/nope"))[0] == 404
            assert (await get(port, "/live", "POST"))[0] == 405
            assert await get(port, "/live", "HEAD") == (200, None)
        finally:
            await server.stop()

    asyncio.run(scenario())


def test_a_taken_port_is_a_clear_configuration_error() -> None:
    async def ok() -> None:
        return None

    async def scenario() -> None:
        first = HealthServer("127.0.0.1", 0, ok)
        port = await first.start()
        try:
            with pytest.raises(ServiceConfigError, match=f"cannot serve the health check on 127.0.0.1:{port}"):
                await HealthServer("127.0.0.1", port, ok).start()
        finally:
            await first.stop()

    asyncio.run(scenario())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_service_is_ready_only_after_hello(platform: Platform) -> None:
    port = free_port()

    async def scenario() -> None:
        factory = library_factory(Calls())
        async with platform.serving(factory, health_check=True, health_check_port=port) as running:
            running.service.hello_errors[:] = [grpc.StatusCode.UNAVAILABLE] * 1000  # keep Hello failing
            await eventually(lambda: running.service.seen.metadata != [], what="a Hello attempt")
            assert (await get(port, "/live"))[0] == 200
            assert (await get(port, "/ready"))[0] == 503
            running.service.hello_errors.clear()
            await eventually(lambda: running.service.seen.polls > 0, what="polling")
            assert (await get(port, "/ready"))[0] == 200
            assert (await get(port, "/health"))[0] == 200
        assert await running.outcome() is None

    asyncio.run(scenario())
