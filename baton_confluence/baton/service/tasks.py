"""Routing a task to its handler by type; types this connector does not do are finished as errors.

As upstream (docs/protocol.md §4.3): a type without a handler is finished with "unsupported task
type", code Unknown and retryable (upstream's plain error); `list_event_feeds` is answered with an
empty feed list, since this connector has no event feeds; `list_events` gets the NotFound the
connector builder answers for a feed that does not exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import grpc
import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.service.finish import error_status, finish_error, finish_success, status_of
from baton_confluence.baton.service.hello import send_hello
from baton_confluence.baton.service.provision_task import run_grant_task, run_revoke_task
from baton_confluence.baton.service.sync_task import run_sync_task
from baton_confluence.baton.service.task_env import TaskEnv

log = structlog.get_logger("baton.service")

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


def task_kind(task: pb.baton.Task) -> str:
    """The task's type; "" for types newer than our protos (they arrive as unknown fields)."""
    return task.WhichOneof("task_type") or ""


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
