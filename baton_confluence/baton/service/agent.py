"""`run_service`: the connector as a long-running ConductorOne agent (the `--client-id` mode).

Order: check the settings, start the health endpoints, Hello (retried with backoff, permanent
refusals raised), then poll for tasks until SIGTERM/SIGINT or the caller's `stop` event.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import ssl
from collections.abc import Callable, Iterator

import httpx
import structlog

from baton_confluence.baton.service.config import ServiceConfig
from baton_confluence.baton.service.credentials import ClientCredentials, load_credentials
from baton_confluence.baton.service.health import HealthServer
from baton_confluence.baton.service.hello import hello_until_accepted
from baton_confluence.baton.service.loop import TaskEnv, TaskLoop, Timing, run_until, when_set
from baton_confluence.baton.service.platform import (
    PlatformClient,
    api_target,
    user_agent,
)
from baton_confluence.baton.service.tasks import handle_task
from baton_confluence.baton.service.token_source import TokenSource
from baton_confluence.baton.syncer import Connector

log = structlog.get_logger("baton.service")

TOKEN_HTTP_TIMEOUT_SECONDS = 30.0


async def run_service(
    config: ServiceConfig,
    connector_factory: Callable[[], Connector],
    *,
    stop: asyncio.Event | None = None,
    timing: Timing | None = None,
) -> None:
    """Runs until stopped. Raises ServiceError (a ConnectorError) when it cannot go on.

    Without `stop`, SIGTERM and SIGINT stop the service gracefully.
    """
    config.check()
    creds = load_credentials(config.client_id, config.client_secret)
    roots = config.root_certificates()
    shutdown = stop or asyncio.Event()
    with _stop_on_signals(shutdown, enabled=stop is None):
        async with httpx.AsyncClient(
            verify=_tls_context(roots),
            timeout=TOKEN_HTTP_TIMEOUT_SECONDS,
            headers={"User-Agent": user_agent(creds.client_name)},
        ) as http:
            platform = _platform(config, creds, TokenSource(creds, http), roots)
            env = TaskEnv(platform, connector_factory, config, timing or Timing(), shutdown)
            try:
                await _serve(env)
            finally:
                await platform.close()


async def _serve(env: TaskEnv) -> None:
    health = _health_server(env)
    if health is not None:
        await health.start()
    try:
        log.info("service_starting", host_id=env.platform.host_id, target=env.platform.target)
        hello = hello_until_accepted(env.platform, env.connector_factory, env.timing)
        if await run_until(hello, when_set(env.shutdown, "stopped")):
            return  # stopped before ConductorOne answered
        if health is not None:
            health.ready = True
        await TaskLoop(env, env.config.task_concurrency, handle_task).run()
        log.info("service_stopped")
    finally:
        if health is not None:
            health.ready = False
            await health.stop()


def _platform(
    config: ServiceConfig, creds: ClientCredentials, tokens: TokenSource, roots: bytes | None
) -> PlatformClient:
    return PlatformClient(
        api_target(config.api_host or creds.token_host),
        tokens,
        host_id=config.resolved_host_id(),
        agent=user_agent(creds.client_name),
        root_certificates=roots,
    )


def _health_server(env: TaskEnv) -> HealthServer | None:
    if not env.config.health_check:
        return None

    async def validate() -> None:
        connector = env.connector_factory()
        try:
            await connector.validate()
        finally:
            await connector.close()

    return HealthServer(env.config.health_check_bind_address, env.config.health_check_port, validate)


def _tls_context(roots: bytes | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cadata=roots.decode("ascii")) if roots else ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event, *, enabled: bool) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    if enabled:
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, _on_signal, stop, sig)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or a platform without signal support in asyncio
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def _on_signal(stop: asyncio.Event, sig: signal.Signals) -> None:
    log.info("stop_requested", signal=sig.name)
    stop.set()
