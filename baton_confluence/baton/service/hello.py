"""Hello: telling ConductorOne who this connector is, at startup (with backoff) and when a hello
task asks (`tasks.py`). ConductorOne rejects a Hello whose OS fields are empty, so every field
falls back to something non-empty, the same fallbacks the Go SDK uses."""

from __future__ import annotations

import asyncio
import os
import platform as host_platform  # the Python module; `platform` names the PlatformClient here
import socket
import sys
from collections.abc import Callable

import grpc
import structlog

from baton_confluence import __version__
from baton_confluence.baton import pb
from baton_confluence.baton.runner.local_sync import served
from baton_confluence.baton.service.config import PlatformError, ServiceError
from baton_confluence.baton.service.loop import Timing
from baton_confluence.baton.service.platform import PlatformClient
from baton_confluence.baton.syncer import Connector

log = structlog.get_logger("baton.service")


PACKAGE = "baton-confluence"
# sys.platform spelled as Go's GOOS, which is what ConductorOne sees from every other connector.
GO_OS_NAMES = {"win32": "windows", "cygwin": "windows"}

Hello = pb.baton.BatonServiceHelloRequest


def build_info() -> Hello.BuildInfo:
    return Hello.BuildInfo(
        lang_version=f"python{host_platform.python_version()}", package=PACKAGE, package_version=__version__
    )


def _os_release() -> dict[str, str]:
    try:
        return host_platform.freedesktop_os_release()
    except OSError:  # not Linux, or no /etc/os-release (scratch-like images)
        return {}


def _virtualization() -> str:
    # The cheap, reliable markers container runtimes leave behind; "none" otherwise.
    if os.path.exists("/.dockerenv"):
        return "docker"
    if os.path.exists("/run/.containerenv"):
        return "podman"
    return "none"


def os_info() -> Hello.OSInfo:
    release = _os_release()
    uname = host_platform.uname()
    os_name = GO_OS_NAMES.get(sys.platform, sys.platform)
    plat = release.get("ID") or uname.system.lower() or os_name
    kernel = uname.release or "unknown"
    return Hello.OSInfo(
        hostname=socket.gethostname() or "unknown",
        os=os_name,
        platform=plat,
        platform_family=(release.get("ID_LIKE") or "").split(" ")[0] or plat,
        platform_version=release.get("VERSION_ID") or kernel,
        kernel_version=kernel,
        kernel_arch=uname.machine or "unknown",
        virtualization_system=_virtualization(),
    )


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
