"""The one-shot path's channel: the engine's gRPC stubs call the connector's servicers directly.

When the engine and the connector share a process (a one-shot `sync`), serving the connector on
127.0.0.1 made every page cross gRPC: the syncer built its messages, gRPC serialised them, the
engine's stub parsed them back, and the store serialised them once more; on the benchmark site
that was most of the local work. `InProcessChannel` is a `grpc.aio.Channel` whose calls hand the
request object to the servicer method of the same name (`ConnectorServices`) and hand its
response object back, so `ConnectorClient` and the engine run unchanged on top of it.

What gRPC would do on the way is kept: a servicer's `context.abort(...)` becomes the same
`grpc.aio.AioRpcError` (code, details, trailing metadata with the rate-limit status) that the
client's retry contract reads. The connector's messages are not copied: the engine only reads
responses, and the store serialises them (c1z/rows.py copies before changing a grant).
The one-shot sync uses it (`runner/local_sync.py`); `serve` and service mode always use real gRPC.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import grpc

from baton_confluence.baton.server import ConnectorServices
from baton_confluence.baton.syncer import Connector


class _AbortContext:
    """The part of a grpc.aio.ServicerContext the servicers use: `abort` raises what a client sees."""

    async def abort(
        self, code: grpc.StatusCode, details: str = "", trailing_metadata: Sequence[tuple[str, str | bytes]] = ()
    ) -> None:
        raise grpc.aio.AioRpcError(
            code, grpc.aio.Metadata(), grpc.aio.Metadata(*trailing_metadata), details=details or None
        )


class _DirectCall(grpc.aio.UnaryUnaryMultiCallable):  # type: ignore[type-arg]
    """One unary method: awaiting a call runs the servicer method on the request as it is."""

    def __init__(self, method: Callable[[Any, Any], Any]) -> None:
        self._method = method

    def __call__(  # type: ignore[override]
        self,
        request: Any,
        *,
        timeout: float | None = None,
        metadata: Any = None,
        credentials: Any = None,
        wait_for_ready: bool | None = None,
        compression: Any = None,
    ) -> Any:
        return self._method(request, _AbortContext())


class InProcessChannel(grpc.aio.Channel):
    """A channel to the connector services of this process (see the module docstring)."""

    def __init__(self, connector: Connector, *, provisioning: bool = False) -> None:
        self.services = ConnectorServices(connector, provisioning=provisioning)

    def unary_unary(  # type: ignore[override]
        self,
        method: str,
        request_serializer: Any = None,
        response_deserializer: Any = None,
        _registered_method: bool | None = False,
    ) -> _DirectCall:
        # '/c1.connector.v2.GrantsService/ListGrants' -> ConnectorServices.ListGrants
        name = method.rpartition("/")[2]
        handler = getattr(self.services, name, None)
        if handler is None:
            return _DirectCall(_unimplemented(method))
        return _DirectCall(handler)

    def unary_stream(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("the connector services are unary")

    def stream_unary(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("the connector services are unary")

    def stream_stream(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("the connector services are unary")

    async def close(self, grace: float | None = None) -> None:
        return None

    def get_state(self, try_to_connect: bool = False) -> grpc.ChannelConnectivity:
        return grpc.ChannelConnectivity.READY

    async def wait_for_state_change(self, last_observed_state: grpc.ChannelConnectivity) -> None:
        return None

    async def channel_ready(self) -> None:
        return None

    async def __aenter__(self) -> InProcessChannel:
        return self

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        await self.close()


def _unimplemented(method: str) -> Callable[[Any, Any], Any]:
    async def call(request: Any, context: _AbortContext) -> Any:
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, f"method {method} not implemented")

    return call
