"""Which channel a sync into a file takes: the one-shot sync calls the connector in process (no
gRPC server starts); service mode asks for the real gRPC server and gets one (issue 23)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from baton_confluence.baton.runner import local_sync
from baton_confluence.baton.runner.local_sync import ConnectorChannel, sync_to_file
from baton_confluence.baton.server import ConnectorServer
from baton_confluence.baton.sync.engine import SyncOptions
from tests.baton.sync.c1z_rows import latest_sync, open_c1z, table
from tests.baton.sync.library_connector import LibraryConnector, sample_library


def grant_ids(path: Path) -> set[str]:
    conn = open_c1z(path)
    try:
        return set(table(conn, "v1_grants", latest_sync(conn)))
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("channel", "servers"),
    [(None, []), (ConnectorChannel.IN_PROCESS, []), (ConnectorChannel.GRPC, ["grpc"])],
    ids=["default", "in-process", "grpc"],
)
def test_the_channel_asked_for_is_the_one_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, channel: ConnectorChannel | None, servers: list[str]
) -> None:
    started: list[str] = []

    class CountingServer(ConnectorServer):
        async def start(self) -> str:
            started.append("grpc")
            return await super().start()

    monkeypatch.setattr(local_sync, "ConnectorServer", CountingServer)
    path = tmp_path / "sync.c1z"
    connector = LibraryConnector(sample_library())
    if channel is None:
        asyncio.run(sync_to_file(connector, path, SyncOptions()))
    else:
        asyncio.run(sync_to_file(connector, path, SyncOptions(), channel=channel))
    assert started == servers
    assert grant_ids(path) == set(table_of_library_grants(tmp_path))


def table_of_library_grants(tmp_path: Path) -> set[str]:
    """The grants the same library yields over real gRPC (the reference path)."""
    reference = tmp_path / "reference.c1z"
    asyncio.run(
        sync_to_file(LibraryConnector(sample_library()), reference, SyncOptions(), channel=ConnectorChannel.GRPC)
    )
    return grant_ids(reference)
