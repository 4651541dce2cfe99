"""The engine's view of a connector: gRPC stubs plus the upstream retry contract.

Unavailable and DeadlineExceeded are retried; a RateLimitDescription in the status details says
how long to wait. NotFound is reported to the caller, which skips the step with a warning.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import grpc
import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.errors import BatonError, exit_code_of
from baton_confluence.baton.server import MAX_MESSAGE_BYTES, rate_limit_from_trailer

log = structlog.get_logger("baton.sync")

R = TypeVar("R")
RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


class SyncError(BatonError):
    """The sync cannot go on; the message is one readable line for the user, the exit code that
    of the gRPC status code."""

    def __init__(self, message: str, code: grpc.StatusCode = grpc.StatusCode.UNKNOWN) -> None:
        super().__init__(message, exit_code=exit_code_of(code))
        self.code = code


class StepNotFound(Exception):
    """The connector answered NotFound for one step: skip it with a warning."""

    def __init__(self, what: str, details: str) -> None:
        super().__init__(f"{what}: {details}")
        self.details = details


@dataclass
class RpcRetryPolicy:
    """How the sync engine retries a connector's gRPC calls (not the connector's own HTTP retries)."""

    max_attempts: int = 8
    base_delay: float = 1.0
    max_delay: float = 60.0


def wait_from_rate_limit(desc: pb.ratelimit.RateLimitDescription | None, now: datetime) -> float | None:
    """Seconds to wait per the upstream rule: until reset when nothing remains, else spread evenly."""
    if desc is None or not desc.HasField("reset_at"):
        return None
    seconds = (desc.reset_at.ToDatetime(tzinfo=UTC) - now).total_seconds()
    if seconds <= 0:
        return None
    if desc.remaining <= 0:
        return seconds
    return float(int(-(-seconds // desc.remaining)))


class ConnectorClient:
    """Stubs for every connector service over one channel, with retries."""

    def __init__(self, channel: grpc.aio.Channel, retry: RpcRetryPolicy | None = None) -> None:
        self.channel = channel
        self.retry = retry or RpcRetryPolicy()
        self.connector = pb.connector_grpc.ConnectorServiceStub(channel)
        self.resource_types = pb.resource_grpc.ResourceTypesServiceStub(channel)
        self.resources = pb.resource_grpc.ResourcesServiceStub(channel)
        self.resource_getter = pb.resource_grpc.ResourceGetterServiceStub(channel)
        self.entitlements = pb.entitlement_grpc.EntitlementsServiceStub(channel)
        self.grants = pb.grant_grpc.GrantsServiceStub(channel)
        self.grant_manager = pb.grant_grpc.GrantManagerServiceStub(channel)
        self.calls = 0
        self.retries = 0

    @classmethod
    def connect(cls, target: str, retry: RpcRetryPolicy | None = None) -> ConnectorClient:
        options = [
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ]
        return cls(grpc.aio.insecure_channel(target, options=options), retry)

    async def close(self) -> None:
        await self.channel.close()

    async def call(self, what: str, rpc: Callable[[Any], Awaitable[R]], request: Any, attempts: int = 0) -> R:
        """One RPC with the retry contract; errors become SyncError or StepNotFound."""
        max_attempts = attempts or self.retry.max_attempts
        attempt = 0
        while True:
            attempt += 1
            self.calls += 1
            try:
                return await rpc(request)
            except grpc.aio.AioRpcError as err:
                code = err.code()
                if code == grpc.StatusCode.NOT_FOUND:
                    raise StepNotFound(what, err.details() or "") from None
                if code not in RETRYABLE or attempt >= max_attempts:
                    raise SyncError(f"{what} failed: {err.details() or code.name}", code) from None
                delay = self._delay(attempt, err)
                self.retries += 1
                log.warning("rpc_retry", step=what, code=code.name, attempt=attempt, wait_s=round(delay, 2))
                await asyncio.sleep(delay)

    def _delay(self, attempt: int, err: grpc.aio.AioRpcError) -> float:
        desc = rate_limit_from_trailer(err.trailing_metadata())  # type: ignore[arg-type]
        hinted = wait_from_rate_limit(desc, datetime.now(UTC))
        if hinted is not None:
            return min(hinted, self.retry.max_delay)
        jitter = random.uniform(0.8, 1.2)
        return min(attempt * self.retry.base_delay * jitter, self.retry.max_delay)
