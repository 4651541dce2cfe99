"""Running work that must give way when the service stops or a task is cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


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
