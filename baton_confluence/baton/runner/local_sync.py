"""A one-shot sync: the connector served on 127.0.0.1 in this process, driven by the engine."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from baton_confluence.baton.c1z.store import SyncStore
from baton_confluence.baton.server import ConnectorServer
from baton_confluence.baton.sync.client import ConnectorClient
from baton_confluence.baton.sync.engine import SyncEngine, SyncOptions, SyncResult, in_thread
from baton_confluence.baton.sync.progress import SyncProgress
from baton_confluence.baton.syncer import Connector


@asynccontextmanager
async def served(connector: Connector, *, provisioning: bool = False) -> AsyncIterator[ConnectorClient]:
    """The connector behind a real gRPC server on 127.0.0.1, and a client connected to it."""
    server = ConnectorServer(connector, provisioning=provisioning)
    address = await server.start()
    client = ConnectorClient.connect(address)
    try:
        yield client
    finally:
        await client.close()
        await server.stop(None)


async def sync_to_file(
    connector: Connector,
    c1z_path: Path,
    options: SyncOptions | None = None,
    progress: SyncProgress | None = None,
) -> SyncResult:
    """Validates, then syncs into `c1z_path`; the old file is replaced only when the sync succeeds.

    On failure the work database stays beside the file so the next run resumes.
    """
    try:
        async with served(connector) as client:
            engine = SyncEngine(client, options, progress)
            await engine.validate()
            store = SyncStore.open(c1z_path)
            try:
                result = await engine.run(store)
            except BaseException:
                store.close()
                raise
            started = time.monotonic()
            await in_thread(store.finalize)
            result.progress.phase_seconds["write c1z"] = time.monotonic() - started
            return result
    finally:
        await connector.close()
