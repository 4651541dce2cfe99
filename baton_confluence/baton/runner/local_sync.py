"""A sync into a c1z file, the engine driving the connector in this process.

The one-shot CLI sync hands pages across the in-process channel (baton/sync/inprocess.py), which
skips serialising and parsing each page; service mode keeps the connector behind a real gRPC
server on 127.0.0.1, as `serve` does. Both write the same rows
(tests/baton/service/test_same_content_every_path.py). The in-process path once drew more 429s
from a small rate-limit bucket, its calls arriving back to back; the request governor now keeps
headroom below a bucket's refill rate (confluence/client/governor.py)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import Enum
from pathlib import Path

import structlog

from baton_confluence.baton.c1z import SyncStore, container
from baton_confluence.baton.errors import UsageError
from baton_confluence.baton.server import ConnectorServer
from baton_confluence.baton.sync.client import ConnectorClient
from baton_confluence.baton.sync.engine import SyncEngine, SyncOptions, SyncResult, in_thread
from baton_confluence.baton.sync.inprocess import InProcessChannel
from baton_confluence.baton.sync.progress import SyncProgress
from baton_confluence.baton.syncer import Connector

log = structlog.get_logger("baton.sync")


class ConnectorChannel(Enum):
    """How the engine reaches the connector within one process."""

    IN_PROCESS = "in-process"  # servicers called directly (the one-shot sync)
    GRPC = "grpc"  # a real gRPC server on 127.0.0.1 (service mode)


class StorageEngine(Enum):
    """The c1z formats upstream can write (docs/protocol.md §1.1); this connector writes `sqlite` (v1).

    Upstream defaults new files to `pebble` (v3), but the stand-alone Go `baton` tools read only
    v1, every Go reader reads v1, and ConductorOne accepts v1 uploads; a v3 writer would mean
    re-implementing Pebble's on-disk format (docs/protocol.md §1.7, §1.8).
    """

    SQLITE = "sqlite"
    PEBBLE = "pebble"

    @classmethod
    def parse(cls, value: str, setting: str = "--storage-engine") -> StorageEngine | None:
        """None for "" (no preference); a UsageError for anything unknown."""
        if not value.strip():
            return None
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise UsageError(f"{setting} must be sqlite or pebble, not {value!r}") from None


def announce_storage_engine(requested: StorageEngine | None) -> None:
    """One log line when pebble was asked for: the file is still v1, and why."""
    if requested is StorageEngine.PEBBLE:
        log.warning(
            "storage_engine_pebble_not_written",
            requested="pebble",
            written="sqlite (c1z v1)",
            reason="the Go baton tools and ConductorOne read v1 files; this connector writes only v1",
        )


def warn_if_readers_refuse(c1z_path: Path) -> None:
    """The next sync into the file reads it whatever its size, but `inspect`, provisioning and the
    Go tools cap what they decode (container.DecodeLimit): say so now, with the value to set."""
    refusal = container.reader_refusal(c1z_path)
    if refusal is not None:
        log.warning("c1z_over_reader_limit", readers="inspect, provisioning, the Go baton tools", refusal=str(refusal))


@asynccontextmanager
async def in_process(connector: Connector) -> AsyncIterator[ConnectorClient]:
    """A client whose calls run the connector's servicers directly, without serialising pages."""
    client = ConnectorClient(InProcessChannel(connector))
    try:
        yield client
    finally:
        await client.close()


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
    storage_engine: StorageEngine | None = None,
    channel: ConnectorChannel = ConnectorChannel.IN_PROCESS,
) -> SyncResult:
    """Validates, then syncs into `c1z_path`; the old file is replaced only when the sync succeeds.

    On failure the work database stays beside the file so the next run resumes.
    """
    announce_storage_engine(storage_engine)
    try:
        async with in_process(connector) if channel is ConnectorChannel.IN_PROCESS else served(connector) as client:
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
            warn_if_readers_refuse(c1z_path)
            return result
    finally:
        await connector.close()
