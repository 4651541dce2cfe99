"""A progress display for long syncs: a live line on a terminal, periodic log events otherwise."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import structlog

from baton_confluence.baton.sync.progress import SyncProgress

log = structlog.get_logger("baton.progress")


async def _terminal(progress: SyncProgress, started: float) -> None:
    while True:
        elapsed = time.monotonic() - started
        sys.stderr.write(f"\r\x1b[2K{progress.summary_line()}  [{elapsed:5.1f}s]")
        sys.stderr.flush()
        await asyncio.sleep(0.25)


async def _logged(progress: SyncProgress, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        log.info(
            "sync_progress",
            phase=progress.phase,
            resources=sum(progress.resources.values()),
            entitlements=progress.entitlements,
            grants=progress.grants,
            expanded_grants=progress.expanded_grants,
        )


@asynccontextmanager
async def shown(progress: SyncProgress, *, terminal: bool) -> AsyncIterator[None]:
    started = time.monotonic()
    task = asyncio.create_task(_terminal(progress, started) if terminal else _logged(progress, 15.0))
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        if terminal:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
