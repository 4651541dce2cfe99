"""Running tasks: routing by type, sync, grant and revoke, hello, and reporting with FinishTask.

As upstream (docs/protocol.md §4.3): a type without a handler is finished with "unsupported task
type", code Unknown and retryable (upstream's plain error); `list_event_feeds` is answered with an
empty feed list, since this connector has no event feeds; `list_events` gets the NotFound the
connector builder answers for a feed that does not exist.

Sync: into a temporary c1z, uploaded, then reported; heartbeating all along. The sync and the
upload stop as soon as ConductorOne cancels the task, nine heartbeats in a row fail, or the
service shuts down; the task is then reported as cancelled (retryable) so that ConductorOne can
schedule it again. The temporary directory goes away in every case.

Grant and revoke: one GrantManagerService call on a served connector, then FinishTask. The call
goes through the same gRPC servicer as any other client's, so the provisioning switch
("provisioning is not enabled" → FailedPrecondition) and the error mapping are the same too.
Failures are reported as non-retryable: repeating a grant or revoke that the connector refused
is not safe to do blindly, so ConductorOne decides what happens next.

Hello tasks send the Hello of `hello.py` again, with the task id.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import grpc
import structlog
from google.protobuf import any_pb2, message

from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError, UsageError
from baton_confluence.baton.logsetup import REDACTOR
from baton_confluence.baton.runner.local_sync import ConnectorChannel, StorageEngine, served, sync_to_file
from baton_confluence.baton.server import status_from_trailer
from baton_confluence.baton.service.config import PlatformError, ServiceConfig
from baton_confluence.baton.service.hello import send_hello
from baton_confluence.baton.service.loop import (
    TaskEnv,
    TaskStopped,
    first_heartbeat,
    keep_alive,
    run_until,
    task_kind,
    when_set,
)
from baton_confluence.baton.service.platform import PlatformClient
from baton_confluence.baton.service.upload import upload_c1z
from baton_confluence.baton.sync.client import ConnectorClient, SyncError
from baton_confluence.baton.sync.engine import SyncOptions
from baton_confluence.baton.sync.progress import SyncProgress
from baton_confluence.baton.sync.targets import SyncTarget, unique_targets

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


R = TypeVar("R", pb.grant.GrantManagerServiceGrantResponse, pb.grant.GrantManagerServiceRevokeResponse)


async def run_grant_task(env: TaskEnv, task: pb.baton.Task) -> None:
    grant = task.grant
    if not (grant.HasField("entitlement") and grant.HasField("principal")):
        await _malformed(env, task.id, "grant task needs an entitlement and a principal")
        return
    request = pb.grant.GrantManagerServiceGrantRequest(entitlement=grant.entitlement, principal=grant.principal)
    await _provision(env, task.id, "grant", lambda client: client.grant_manager.Grant(request))


async def run_revoke_task(env: TaskEnv, task: pb.baton.Task) -> None:
    grant = task.revoke.grant
    if not (task.revoke.HasField("grant") and grant.HasField("entitlement") and grant.HasField("principal")):
        await _malformed(env, task.id, "revoke task needs a grant with its entitlement and principal")
        return
    request = pb.grant.GrantManagerServiceRevokeRequest(grant=grant)
    await _provision(env, task.id, "revoke", lambda client: client.grant_manager.Revoke(request))


async def _malformed(env: TaskEnv, task_id: str, reason: str) -> None:
    log.error("malformed_task", task_id=task_id, reason=reason)
    status = error_status(grpc.StatusCode.INVALID_ARGUMENT, f"malformed task: {reason}")
    await finish_error(env.platform, task_id, status, non_retryable=True)


async def _provision(env: TaskEnv, task_id: str, action: str, call: Callable[[ConnectorClient], Awaitable[R]]) -> None:
    try:
        response = await _on_served_connector(env, call)
    except grpc.aio.AioRpcError as err:
        log.error(f"{action}_failed", task_id=task_id, code=err.code().name, error=err.details())
        await finish_error(env.platform, task_id, status_of(err), non_retryable=True)
        return
    log.info(f"{action}_done", task_id=task_id)
    await finish_success(env.platform, task_id, response, response.annotations)


async def _on_served_connector(env: TaskEnv, call: Callable[[ConnectorClient], Awaitable[R]]) -> R:
    connector = env.connector_factory()
    try:
        async with served(connector, provisioning=env.config.provisioning) as client:
            return await call(client)
    finally:
        await connector.close()


SHUTTING_DOWN = "the connector is shutting down"


def task_sync_options(base: SyncOptions, task: pb.baton.Task.SyncFullTask) -> SyncOptions:
    """A task's sync, as upstream's full-sync handler builds it (docs/protocol.md §4.3).

    From `base` (the service's settings): pace, and the resource types when the task names none.
    From the task alone: skipping entitlements and grants, grants, expansion, and the targeted
    resources that make it a partial sync. A local skip never reaches a task: ConductorOne asked
    for a full sync and would otherwise get less than it asked for without knowing.
    """
    return replace(
        base,
        resource_type_ids=tuple(task.sync_resource_type_ids) or base.resource_type_ids,
        skip_entitlements_and_grants=task.skip_entitlements_and_grants,
        skip_expansion=task.skip_expand_grants,
        skip_grants=task.skip_grants,
        targets=unique_targets(SyncTarget.of(r) for r in task.targeted_sync_resources),
    )


def task_storage_engine(config: ServiceConfig, task: pb.baton.Task.SyncFullTask) -> StorageEngine | None:
    """The local --storage-engine wins, else the task's; an unknown name counts as none."""
    if config.storage_engine is not None:
        return config.storage_engine
    try:
        return StorageEngine.parse(task.storage_engine, "the task's storage_engine")
    except UsageError as err:
        log.warning("storage_engine_unknown", requested=task.storage_engine, error=str(err))
        return None


async def run_sync_task(env: TaskEnv, task: pb.baton.Task) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="baton-sync-", dir=env.config.temp_dir))
    try:
        await _run(env, task, workdir / "sync.c1z")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


async def _run(env: TaskEnv, task: pb.baton.Task, c1z_path: Path) -> None:
    try:
        interval = await first_heartbeat(env.platform, task.id, env.timing)
    except TaskStopped as err:
        # As upstream: a task that cannot heartbeat is not started and not finished; it times
        # out on the platform side and is handed out again.
        log.error("sync_task_not_started", task_id=task.id, reason=str(err))
        return
    try:
        stopped = await run_until(
            _sync_and_upload(env, task, c1z_path),
            keep_alive(env.platform, task.id, interval, env.timing),
            when_set(env.shutdown, SHUTTING_DOWN),
        )
    except Exception as err:  # a failed sync is reported, the service goes on
        log.error("sync_task_failed", task_id=task.id, error=str(err), error_type=type(err).__name__)
        await finish_error(env.platform, task.id, status_of(err), non_retryable=False)
        return
    if stopped:
        log.warning("sync_task_stopped", task_id=task.id, reason=stopped)
        await finish_error(env.platform, task.id, error_status(grpc.StatusCode.CANCELLED, stopped), non_retryable=False)
        return
    await finish_success(env.platform, task.id)


async def _sync_and_upload(env: TaskEnv, task: pb.baton.Task, c1z_path: Path) -> None:
    options = task_sync_options(env.config.sync_options, task.sync_full)
    engine = task_storage_engine(env.config, task.sync_full)
    progress = SyncProgress()
    result = await sync_to_file(
        env.connector_factory(), c1z_path, options, progress, engine, channel=ConnectorChannel.GRPC
    )
    log.info(
        "sync_done",
        task_id=task.id,
        sync_id=result.sync_id,
        sync_type=result.sync_type,
        seconds=round(result.seconds, 1),
        summary=progress.summary_line(),
        warnings=len(result.warnings),
    )
    await upload_c1z(env.platform, task.id, c1z_path)


Handler = Callable[[TaskEnv, pb.baton.Task], Awaitable[None]]


async def run_hello_task(env: TaskEnv, task: pb.baton.Task) -> None:
    """Hello again with the task id; as upstream, a hello task is never finished."""
    try:
        await send_hello(env.platform, env.connector_factory, task.id)
    except Exception as err:  # logged only: ConductorOne does not expect a FinishTask for a hello
        log.error("hello_task_failed", task_id=task.id, error=str(err), error_type=type(err).__name__)


async def run_list_event_feeds_task(env: TaskEnv, task: pb.baton.Task) -> None:
    """Success with an empty ListEventFeedsResponse as the response, no annotations."""
    await finish_success(env.platform, task.id, pb.event_feed.ListEventFeedsResponse())


async def run_list_events_task(env: TaskEnv, task: pb.baton.Task) -> None:
    # Upstream's connector builder: an empty feed id means the legacy feed, and any id it does
    # not know is NotFound; upstream then leaves the task unfinished, we report it instead.
    feed_id = task.list_events.event_feed_id or LEGACY_EVENT_FEED_ID
    status = error_status(grpc.StatusCode.NOT_FOUND, f"error: event feed id {feed_id} not found")
    await finish_error(env.platform, task.id, status, non_retryable=False)


LEGACY_EVENT_FEED_ID = "baton_feed_event"
UNSUPPORTED = "unsupported task type"

HANDLERS: dict[str, Handler] = {
    "hello": run_hello_task,
    "sync_full": run_sync_task,
    "grant": run_grant_task,
    "revoke": run_revoke_task,
    "list_event_feeds": run_list_event_feeds_task,
    "list_events": run_list_events_task,
}


async def handle_task(env: TaskEnv, task: pb.baton.Task) -> None:
    """Runs one task to its end; whatever goes wrong is reported, never raised."""
    kind = task_kind(task)
    log.info("task_started", task_id=task.id, task_type=kind or "unknown")
    handler = HANDLERS.get(kind)
    if handler is None:
        log.warning("task_type_unsupported", task_id=task.id, task_type=kind or "unknown")
        status = error_status(grpc.StatusCode.UNKNOWN, UNSUPPORTED)
        await finish_error(env.platform, task.id, status, non_retryable=False)
        return
    try:
        await handler(env, task)
    except Exception as err:  # a handler bug or a connector that failed to build: report it, keep serving
        log.exception("task_crashed", task_id=task.id, task_type=kind)
        await finish_error(env.platform, task.id, status_of(err), non_retryable=False)
