"""Hello: telling ConductorOne who this instance is, at startup (with backoff) and when asked."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import grpc
import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.runner.local_sync import served
from baton_confluence.baton.service.errors import PlatformError, ServiceError
from baton_confluence.baton.service.hostinfo import build_info, os_info
from baton_confluence.baton.service.platform import PlatformClient
from baton_confluence.baton.service.timing import Timing
from baton_confluence.baton.syncer import Connector

log = structlog.get_logger("baton.service")

# Retrying cannot fix these: bad credentials, a revoked connector, a request the platform rejects.
PERMANENT = frozenset(
    {
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.UNIMPLEMENTED,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.NOT_FOUND,
    }
)


async def connector_metadata(connector_factory: Callable[[], Connector]) -> pb.connector.ConnectorMetadata:
    """GetMetadata from a freshly served connector, exactly what a sync engine would see."""
    connector = connector_factory()
    try:
        async with served(connector) as client:
            request = pb.connector.ConnectorServiceGetMetadataRequest()
            try:
                resp = await client.connector.GetMetadata(request)
            except grpc.aio.AioRpcError as err:
                raise ServiceError(err.code(), f"the connector's GetMetadata failed: {err.details()}") from None
            return resp.metadata
    finally:
        await connector.close()


async def send_hello(platform: PlatformClient, connector_factory: Callable[[], Connector], task_id: str = "") -> None:
    request = pb.baton.BatonServiceHelloRequest(
        task_id=task_id,
        build_info=build_info(),
        os_info=os_info(),
        connector_metadata=await connector_metadata(connector_factory),
    )
    await platform.hello(request)


async def hello_until_accepted(
    platform: PlatformClient, connector_factory: Callable[[], Connector], timing: Timing
) -> None:
    """Retries transient failures with exponential backoff; a permanent one is raised as is."""
    attempt = 0
    while True:
        attempt += 1
        try:
            await send_hello(platform, connector_factory)
        except ServiceError as err:
            if err.code in PERMANENT:
                raise _explained(err) from None
            wait = timing.hello_backoff(attempt)
            log.warning("hello_failed_retrying", attempt=attempt, error=err.message, retry_in_s=wait)
            await asyncio.sleep(wait)
            continue
        log.info("hello_accepted", attempts=attempt, host_id=platform.host_id)
        return


def _explained(err: ServiceError) -> ServiceError:
    if isinstance(err, PlatformError) and err.code in (
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.PERMISSION_DENIED,
    ):
        return PlatformError(err.code, f"ConductorOne rejected this connector's credentials: {err.message}")
    return ServiceError(err.code, f"ConductorOne refused the connector's Hello: {err.message}")
