"""The poll loop: ask ConductorOne for work, run up to `task_concurrency` tasks at once.

A slot is claimed before GetTask (as upstream), so no task is taken that cannot start at once.
The platform paces the loop with `next_poll`; GetTask failures back off errors² seconds (≤ 60).
On shutdown the loop stops polling, gives running tasks the grace period to finish (syncs
give up at once and report themselves cancelled), then cancels whatever is left.
"""

from __future__ import annotations

import asyncio

import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.service.task_env import TaskEnv
from baton_confluence.baton.service.tasks import handle_task, task_kind
from baton_confluence.baton.service.waiting import sleep_or_stop

log = structlog.get_logger("baton.service")


class TaskLoop:
    def __init__(self, env: TaskEnv, concurrency: int) -> None:
        self.env = env
        self.concurrency = concurrency
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
        running = asyncio.create_task(handle_task(self.env, task), name=f"task-{task.id}")
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
