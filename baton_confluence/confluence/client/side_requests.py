"""Retrying the few requests that go around `ConfluenceHTTP`: the token service and the cloudId
lookups (`tenant_info`, accessible-resources). They carry no site credential, run once or once an
hour, and must not fail a sync on one transient answer: transport errors, 429 and 5xx are tried
`SIDE_ATTEMPTS` times, waiting the `Retry-After` (at most `MAX_WAIT_S`) or one second more each time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import httpx

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client.errors import PREFIX, describe_transport_error

SIDE_ATTEMPTS = 3
MAX_WAIT_S = 10.0

Sleep = Callable[[float], Awaitable[Any]]


async def send_with_retries(
    send: Callable[[], Awaitable[httpx.Response]], *, endpoint: str, fix: str, sleep: Sleep = asyncio.sleep
) -> httpx.Response:
    """The first answer that is not transient, or the last one; UNAVAILABLE when none came at all."""
    for attempt in range(1, SIDE_ATTEMPTS + 1):
        last = attempt == SIDE_ATTEMPTS
        try:
            response = await send()
        except httpx.TransportError as exc:
            if last:
                host = httpx.URL(endpoint.partition(" ")[2]).host
                raise ConnectorError(
                    grpc.StatusCode.UNAVAILABLE,
                    f"{PREFIX}: {endpoint}: {describe_transport_error(host, exc)} after {SIDE_ATTEMPTS} attempts; {fix}",
                ) from exc
            await sleep(float(attempt))
            continue
        if last or not (response.status_code == 429 or response.status_code >= 500):
            return response
        await sleep(_wait(response, attempt))
    raise AssertionError("unreachable")  # the loop returns or raises


def _wait(response: httpx.Response, attempt: int) -> float:
    try:
        return min(MAX_WAIT_S, max(0.0, float(response.headers.get("retry-after", ""))))
    except ValueError:
        return float(attempt)
