"""Reporting a task's outcome with FinishTask, and turning any failure into a google.rpc.Status."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import grpc
import structlog
from google.protobuf import any_pb2, message

from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.logsetup import REDACTOR
from baton_confluence.baton.server.status import status_from_trailer
from baton_confluence.baton.service.errors import PlatformError
from baton_confluence.baton.service.platform import PlatformClient
from baton_confluence.baton.sync.client import SyncError

log = structlog.get_logger("baton.service")

Finish = pb.baton.BatonServiceFinishTaskRequest


def status_of(err: BaseException) -> pb.rpc_status.Status:
    """The gRPC status an error stands for; errors without one map as the Go SDK maps them."""
    if isinstance(err, grpc.aio.AioRpcError):
        status = status_from_trailer(err.trailing_metadata())  # type: ignore[arg-type]
        if status is None:
            status = pb.rpc_status.Status()
        status.code, status.message = err.code().value[0], err.details() or err.code().name
    elif isinstance(err, ConnectorError | SyncError):
        status = pb.rpc_status.Status(code=err.code.value[0], message=str(err))
    elif isinstance(err, asyncio.CancelledError):
        status = pb.rpc_status.Status(code=grpc.StatusCode.CANCELLED.value[0], message="task was cancelled")
    elif isinstance(err, TimeoutError):
        status = pb.rpc_status.Status(code=grpc.StatusCode.DEADLINE_EXCEEDED.value[0], message=str(err) or "timed out")
    else:
        status = pb.rpc_status.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=f"{type(err).__name__}: {err}")
    # The message leaves this host; a secret that slipped into an error text must not.
    status.message = REDACTOR.text(status.message)
    return status


def error_status(code: grpc.StatusCode, message: str) -> pb.rpc_status.Status:
    return pb.rpc_status.Status(code=code.value[0], message=message)


def _pack(response: message.Message | None) -> any_pb2.Any | None:
    if response is None:
        return None
    packed = any_pb2.Any()
    packed.Pack(response)
    return packed


async def finish_success(
    platform: PlatformClient,
    task_id: str,
    response: message.Message | None = None,
    annotations: Sequence[any_pb2.Any] = (),
) -> bool:
    success = Finish.Success(annotations=annotations, response=_pack(response))
    return await _send(platform, Finish(task_id=task_id, success=success), "success")


async def finish_error(
    platform: PlatformClient, task_id: str, status: pb.rpc_status.Status, *, non_retryable: bool
) -> bool:
    request = Finish(task_id=task_id, status=status, error=Finish.Error(non_retryable=non_retryable))
    return await _send(platform, request, "error")


async def _send(platform: PlatformClient, request: Finish, outcome: str) -> bool:
    """False when ConductorOne could not be told; that is logged, never raised: the service goes on."""
    try:
        await platform.finish_task(request)
    except PlatformError as err:
        log.error("finish_task_failed", task_id=request.task_id, outcome=outcome, error=err.message)
        return False
    log.info("task_finished", task_id=request.task_id, outcome=outcome, code=request.status.code or None)
    return True
