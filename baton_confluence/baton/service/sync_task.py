"""The full-sync task: sync into a temporary c1z, upload it, report; heartbeating all along.

The sync and the upload stop as soon as ConductorOne cancels the task, nine heartbeats in a row
fail, or the service shuts down; the task is then reported as cancelled (retryable) so that
ConductorOne can schedule it again. The temporary directory goes away in every case.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import grpc
import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.runner.local_sync import StorageEngine, sync_to_file
from baton_confluence.baton.service.config import ServiceConfig
from baton_confluence.baton.service.finish import error_status, finish_error, finish_success, status_of
from baton_confluence.baton.service.heartbeat import TaskStopped, first_heartbeat, keep_alive
from baton_confluence.baton.service.task_env import TaskEnv
from baton_confluence.baton.service.upload import upload_c1z
from baton_confluence.baton.service.waiting import run_until, when_set
from baton_confluence.baton.sync.engine import SyncOptions
from baton_confluence.baton.sync.progress import SyncProgress
from baton_confluence.baton.sync.targets import SyncTarget

log = structlog.get_logger("baton.service")

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
        targets=tuple(dict.fromkeys(SyncTarget.of(r) for r in task.targeted_sync_resources)),
    )


def task_storage_engine(config: ServiceConfig, task: pb.baton.Task.SyncFullTask) -> StorageEngine | None:
    """The local --storage-engine wins, else the task's; an unknown name counts as none."""
    if config.storage_engine is not None:
        return config.storage_engine
    try:
        return StorageEngine.parse(task.storage_engine, "the task's storage_engine")
    except ValueError as err:
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
    result = await sync_to_file(env.connector_factory(), c1z_path, options, progress, engine)
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
