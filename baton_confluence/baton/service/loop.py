"""The poll loop and its pacing: ask ConductorOne for work, run up to `task_concurrency` tasks.

A slot is claimed before GetTask (as upstream), so no task is taken that cannot start at once.
The platform steers the pace through `next_poll` and `next_heartbeat`; the clamps (the Go SDK's)
keep a bad value from turning into a busy loop or a task that looks dead. GetTask failures back
off errors² seconds (≤ 60). Heartbeats are a long task's proof of life, and how ConductorOne
cancels it. On shutdown the loop stops polling, gives running tasks the grace period to finish
(syncs give up at once and report themselves cancelled), then cancels whatever is left.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import structlog
from google.protobuf import duration_pb2

from baton_confluence.baton import pb
from baton_confluence.baton.service.config import PlatformError, ServiceConfig
from baton_confluence.baton.service.platform import PlatformClient
from baton_confluence.baton.syncer import Connector

log = structlog.get_logger("baton.service")


@dataclass(frozen=True)
class Timing:
    hello_backoff_initial: float = 1.0
    hello_backoff_max: float = 300.0
    poll_max: float = 300.0
    poll_error_max: float = 60.0
    heartbeat_min: float = 1.0
    heartbeat_max: float = 300.0
    heartbeat_default: float = 30.0
    # Upstream's limit is "10 attempts", counted before each send and reset by a success, so the
    # tenth attempt is never sent: nine failures in a row cancel the task (docs/protocol.md §4.3).
    heartbeat_max_failures: int = 9

    def next_poll(self, d: duration_pb2.Duration) -> float:
        return min(max(d.ToTimedelta().total_seconds(), 0.0), self.poll_max)

    def next_heartbeat(self, d: duration_pb2.Duration) -> float:
        seconds = d.ToTimedelta().total_seconds()
        if seconds == 0:
            return self.heartbeat_default
        return min(max(seconds, self.heartbeat_min), self.heartbeat_max)

    def poll_error_wait(self, consecutive_errors: int) -> float:
        return float(min(consecutive_errors**2, self.poll_error_max))

    def hello_backoff(self, attempt: int) -> float:
        """Wait after the `attempt`-th failed Hello (1-based): 1 s, 2 s, 4 s, … up to 5 min."""
        return min(self.hello_backoff_initial * 2 ** (attempt - 1), self.hello_backoff_max)


async def sleep_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Sleeps `seconds`; True if `stop` was set meanwhile (or already)."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=max(seconds, 0.0))
    except TimeoutError:
        return False
    return True


async def when_set(event: asyncio.Event, reason: str) -> str:
    await event.wait()
    return reason


async def run_until(work: Coroutine[Any, Any, None], *stoppers: Coroutine[Any, Any, str]) -> str:
    """Runs `work` until it completes ("" returned, its error raised) or a stopper returns first.

    In the second case the work is cancelled and awaited, so it has cleaned up when the first
    stopper's reason is returned.
    """
    work_task = asyncio.create_task(work)
    stop_tasks = [asyncio.create_task(s) for s in stoppers]
    try:
        await asyncio.wait({work_task, *stop_tasks}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in stop_tasks:
            task.cancel()
        if not work_task.done():
            work_task.cancel()
            await asyncio.gather(work_task, return_exceptions=True)
    if not work_task.cancelled():
        work_task.result()
        return ""
    return next((t.result() for t in stop_tasks if t.done() and not t.cancelled()), "stopped")


@dataclass
class TaskEnv:
    platform: PlatformClient
    # A new connector per task: a sync closes its connector when done, and tasks run side by side.
    connector_factory: Callable[[], Connector]
    config: ServiceConfig
    timing: Timing = field(default_factory=Timing)
    # Set on SIGTERM: no new tasks; syncs give up their work and report it as cancelled.
    shutdown: asyncio.Event = field(default_factory=asyncio.Event)


class TaskStopped(Exception):
    """The task must stop: ConductorOne cancelled it or stopped hearing from us."""


async def first_heartbeat(platform: PlatformClient, task_id: str, timing: Timing) -> float:
    """Before any work: returns the interval to the next heartbeat; TaskStopped if work must not start."""
    try:
        resp = await platform.heartbeat(task_id)
    except PlatformError as err:
        raise TaskStopped(f"the first heartbeat failed: {err.message}") from None
    if resp.cancelled:
        raise TaskStopped("ConductorOne cancelled the task")
    return timing.next_heartbeat(resp.next_heartbeat)


async def keep_alive(platform: PlatformClient, task_id: str, interval: float, timing: Timing) -> str:
    """Heartbeats until cancelled (the work finished); returns why the work must stop instead."""
    failures = 0
    while True:
        await asyncio.sleep(interval)
        try:
            resp = await platform.heartbeat(task_id)
        except PlatformError as err:
            failures += 1
            log.warning("heartbeat_failed", task_id=task_id, failures=failures, error=err.message)
            if failures >= timing.heartbeat_max_failures:
                return f"{failures} heartbeats in a row failed"
            continue
        failures = 0
        if resp.cancelled:
            return "ConductorOne cancelled the task"
        interval = timing.next_heartbeat(resp.next_heartbeat)


TaskHandler = Callable[[TaskEnv, pb.baton.Task], Coroutine[Any, Any, None]]


def task_kind(task: pb.baton.Task) -> str:
    """The task's type; "" for types newer than our protos (they arrive as unknown fields)."""
    return task.WhichOneof("task_type") or ""


class TaskLoop:
    """`handle` runs one task to its end and never raises (tasks.handle_task)."""

    def __init__(self, env: TaskEnv, concurrency: int, handle: TaskHandler) -> None:
        self.env = env
        self.concurrency = concurrency
        self.handle = handle
        self.running: set[asyncio.Task[None]] = set()
        self.poll_errors = 0

    async def run(self) -> None:
        """Polls until `env.shutdown` is set, then winds down the running tasks."""
        try:
            while not self.env.shutdown.is_set():
                if len(self.running) >= self.concurrency:
                    await self._wait_for_free_slot()
                    continue
                wait = await self._poll_once()
                await sleep_or_stop(self.env.shutdown, wait)
        finally:
            await self._wind_down()

    async def _poll_once(self) -> float:
        """Claims and starts at most one task; returns how long to wait before the next poll."""
        try:
            resp = await self.env.platform.get_task()
        except Exception as err:  # the platform being unreachable must not end the service
            self.poll_errors += 1
            wait = self.env.timing.poll_error_wait(self.poll_errors)
            log.error("get_task_failed", error=str(err), consecutive=self.poll_errors, retry_in_s=wait)
            return wait
        self.poll_errors = 0
        task = _real_task(resp)
        if task is not None:
            self._start(task)
        return self.env.timing.next_poll(resp.next_poll)

    def _start(self, task: pb.baton.Task) -> None:
        running = asyncio.create_task(self.handle(self.env, task), name=f"task-{task.id}")
        self.running.add(running)
        running.add_done_callback(self.running.discard)

    async def _wait_for_free_slot(self) -> None:
        stop = asyncio.create_task(self.env.shutdown.wait())
        try:
            await asyncio.wait({*self.running, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()

    async def _wind_down(self) -> None:
        if not self.running:
            return
        grace = self.env.config.shutdown_grace_seconds
        log.info("waiting_for_running_tasks", tasks=len(self.running), grace_s=grace)
        _, pending = await asyncio.wait(set(self.running), timeout=grace)
        for task in pending:
            log.warning("abandoning_task", task=task.get_name())
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


def _real_task(resp: pb.baton.BatonServiceGetTaskResponse) -> pb.baton.Task | None:
    """The task to run, or None when the platform has no work ("none" task or an empty message)."""
    if not resp.HasField("task"):
        return None
    task = resp.task
    if task_kind(task) == "none" or (not task_kind(task) and not task.id):
        return None
    return task
