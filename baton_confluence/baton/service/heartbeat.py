"""Heartbeats for a long task: proof of life to ConductorOne, and how it cancels the task."""

from __future__ import annotations

import asyncio

import structlog

from baton_confluence.baton.service.errors import PlatformError
from baton_confluence.baton.service.platform import PlatformClient
from baton_confluence.baton.service.timing import Timing

log = structlog.get_logger("baton.service")


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
