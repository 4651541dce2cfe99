"""The BatonService client: typed calls to ConductorOne with an access token from `token_source.py`.

The Go SDK dials a fresh connection per RPC; one long-lived grpc.aio channel does the same job
(gRPC reconnects on its own) without a TLS handshake per poll. Credentials are `credentials.py`,
uploading a sync's c1z is `upload.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc

from baton_confluence import __version__
from baton_confluence.baton import pb
from baton_confluence.baton.service.config import PlatformError
from baton_confluence.baton.service.credentials import split_host_port
from baton_confluence.baton.service.token_source import TokenSource

R = TypeVar("R")

DEFAULT_PORT = 443
RPC_TIMEOUT_SECONDS = 30.0
FINISH_TIMEOUT_SECONDS = 30.0


def api_target(host: str) -> str:
    """`host` or `host:port` as a gRPC target; without a port, ConductorOne's is 443."""
    name, port = split_host_port(host)
    if port:
        return host
    return f"[{name}]:{DEFAULT_PORT}" if ":" in name else f"{name}:{DEFAULT_PORT}"


def user_agent(client_name: str) -> str:
    return f"{client_name} baton-confluence/{__version__}"


class PlatformClient:
    """Typed BatonService calls; every failure is a PlatformError carrying the gRPC code."""

    def __init__(
        self,
        target: str,
        tokens: TokenSource,
        *,
        host_id: str,
        agent: str,
        root_certificates: bytes | None = None,
    ) -> None:
        self.target = target
        self.tokens = tokens
        self.host_id = host_id
        credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
        self._channel = grpc.aio.secure_channel(target, credentials, options=[("grpc.primary_user_agent", agent)])
        self._stub = pb.baton_grpc.BatonServiceStub(self._channel)

    async def close(self) -> None:
        await self._channel.close()

    async def hello(self, request: pb.baton.BatonServiceHelloRequest) -> None:
        request.host_id = self.host_id
        await self._call("Hello", self._stub.Hello, request)

    async def get_task(self) -> pb.baton.BatonServiceGetTaskResponse:
        """No deadline, as upstream: the platform may hold a poll open until it has work."""
        request = pb.baton.BatonServiceGetTaskRequest(host_id=self.host_id)
        return await self._call("GetTask", self._stub.GetTask, request, None)

    async def heartbeat(self, task_id: str) -> pb.baton.BatonServiceHeartbeatResponse:
        request = pb.baton.BatonServiceHeartbeatRequest(host_id=self.host_id, task_id=task_id)
        return await self._call("Heartbeat", self._stub.Heartbeat, request)

    async def finish_task(self, request: pb.baton.BatonServiceFinishTaskRequest) -> None:
        request.host_id = self.host_id
        await self._call("FinishTask", self._stub.FinishTask, request, FINISH_TIMEOUT_SECONDS)

    async def upload_asset(self, messages: AsyncIterator[pb.baton.BatonServiceUploadAssetRequest]) -> None:
        """One UploadAsset stream; no deadline, since a large c1z legitimately takes a while."""
        await self._call("UploadAsset", self._stub.UploadAsset, messages, None)

    async def _call(
        self, method: str, rpc: Callable[..., Awaitable[R]], request: Any, timeout: float | None = RPC_TIMEOUT_SECONDS
    ) -> R:
        metadata = (("authorization", await self.tokens.authorization()),)
        try:
            return await rpc(request, metadata=metadata, timeout=timeout)
        except grpc.aio.AioRpcError as err:
            code = err.code()
            if code == grpc.StatusCode.UNAUTHENTICATED:
                self.tokens.invalidate()  # the next call exchanges the credentials again
            raise PlatformError(code, f"{method} to {self.target} failed: {code.name}: {err.details()}") from None
