"""The `--health-check` HTTP endpoints, for Kubernetes probes.

- `/live`: 200 while the process runs (liveness).
- `/ready`: 200 once ConductorOne accepted the Hello and tasks are being polled, 503 before
  that and while shutting down (readiness).
- `/health`: 200 when the connector validates against the target system (this calls the
  remote API, so probe it sparingly), 503 with the reason otherwise.

Bodies are JSON `{"status", "timestamp", "details"?}` as the Go SDK sends them. The server is
a few lines on asyncio streams: GET only, one request per connection.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import structlog

from baton_confluence.baton.logsetup import REDACTOR
from baton_confluence.baton.service.config import ServiceConfigError

log = structlog.get_logger("baton.service")

CHECK_TIMEOUT_SECONDS = 30.0
READ_TIMEOUT_SECONDS = 10.0
MAX_HEADER_LINES = 100

Check = Callable[[], Awaitable[None]]


class HealthServer:
    def __init__(self, bind_address: str, port: int, check: Check) -> None:
        self.bind_address = bind_address
        self.port = port
        self.check = check
        self.ready = False
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        """Listens; returns the bound port (useful with port 0)."""
        try:
            self._server = await asyncio.start_server(self._serve, self.bind_address, self.port)
        except OSError as err:
            raise ServiceConfigError(
                f"cannot serve the health check on {self.bind_address}:{self.port}: {err.strerror or err}"
            ) from None
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("health_check_listening", address=f"{self.bind_address}:{self.port}")
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            method, path = await asyncio.wait_for(_read_request(reader), READ_TIMEOUT_SECONDS)
            status, body = await self._respond(method, path)
            _write_json(writer, status, body, head_only=method == "HEAD")
            await writer.drain()
        except (TimeoutError, ValueError, ConnectionError):
            pass  # a broken or slow client; nothing to answer
        finally:
            writer.close()

    async def _respond(self, method: str, path: str) -> tuple[HTTPStatus, dict[str, Any]]:
        if method not in ("GET", "HEAD"):
            return HTTPStatus.METHOD_NOT_ALLOWED, _body("error", error="use GET")
        route = path.split("?", 1)[0]
        if route == "/live":
            return HTTPStatus.OK, _body("alive")
        if route == "/ready":
            return (
                (HTTPStatus.OK, _body("ready")) if self.ready else (HTTPStatus.SERVICE_UNAVAILABLE, _body("not_ready"))
            )
        if route == "/health":
            return await self._health()
        return HTTPStatus.NOT_FOUND, _body("error", error="unknown endpoint; use /health, /ready or /live")

    async def _health(self) -> tuple[HTTPStatus, dict[str, Any]]:
        try:
            await asyncio.wait_for(self.check(), CHECK_TIMEOUT_SECONDS)
        except Exception as err:  # any failure is "unhealthy", with the reason for the operator
            reason = REDACTOR.text(str(err) or type(err).__name__)
            log.warning("health_check_failed", error=reason)
            return HTTPStatus.SERVICE_UNAVAILABLE, _body(
                "unhealthy", error="connector validation failed", validation_error=reason
            )
        return HTTPStatus.OK, _body("healthy")


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str]:
    parts = (await reader.readline()).decode("latin-1").split()
    if len(parts) != 3:
        raise ValueError("not an HTTP request line")
    for _ in range(MAX_HEADER_LINES):  # the headers carry nothing we need; skip to the blank line
        if (await reader.readline()).strip() == b"":
            break
    return parts[0].upper(), parts[1]


def _body(status: str, **details: str) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    if details:
        body["details"] = details
    return body


def _write_json(writer: asyncio.StreamWriter, status: HTTPStatus, body: dict[str, Any], head_only: bool) -> None:
    payload = (json.dumps(body) + "\n").encode()
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n"
        "Connection: close\r\n\r\n"
    )
    writer.write(head.encode() + (b"" if head_only else payload))
