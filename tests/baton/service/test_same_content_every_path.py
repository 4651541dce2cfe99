"""One-shot (the in-process channel), `serve` + engine (real gRPC on 127.0.0.1), the engine on the
in-process channel and service mode (real gRPC) write the same rows for the same site (issue 23): resources, entitlements and grants of the sync,
by external id, with their data and expansion columns; sync ids and timestamps naturally differ."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec

from baton_confluence.baton.c1z.store import SyncStore
from baton_confluence.baton.runner.local_sync import in_process, served, sync_to_file
from baton_confluence.baton.sync.engine import SyncEngine, in_thread
from baton_confluence.confluence.builder import build_connector
from baton_confluence.confluence.settings import ConfluenceSettings
from tests.baton.service.conftest import Platform
from tests.baton.service.tasks_util import finished, sync_task
from tests.baton.sync.c1z_rows import latest_sync, open_c1z

SPEC = SiteSpec(seed=23, users=30, groups=6, spaces=8, permissions_per_space=12)

Rows = dict[str, tuple[bytes, bytes | None, int]]


def rows_of(path: Path) -> Rows:
    conn = open_c1z(path)
    sync_id = latest_sync(conn)
    out: Rows = {}
    for table in ("v1_resource_types", "v1_resources", "v1_entitlements"):
        for ext, data in conn.execute(f"select external_id, data from {table} where sync_id = ?", (sync_id,)):
            out[f"{table}/{ext}"] = (data, None, 0)
    query = "select external_id, data, expansion, needs_expansion from v1_grants where sync_id = ?"
    for ext, data, expansion, needs in conn.execute(query, (sync_id,)):
        out[f"v1_grants/{ext}"] = (data, expansion, needs)
    conn.close()
    return out


async def engine_sync(settings: ConfluenceSettings, path: Path, *, channel: str) -> None:
    """The engine against the connector behind a real gRPC server (as with `serve`), or through
    the in-process channel."""
    connector = build_connector(settings)
    try:
        async with served(connector) if channel == "grpc" else in_process(connector) as client:
            engine = SyncEngine(client)
            await engine.validate()
            store = SyncStore.open(path)
            try:
                await engine.run(store)
            except BaseException:
                store.close()
                raise
            await in_thread(store.finalize)
    finally:
        await connector.close()


def test_every_path_writes_the_same_rows(platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with SimulatedSite(SPEC) as site:
        settings = ConfluenceSettings(domain_url=site.url, username=SPEC.username, api_key=SPEC.api_token)
        asyncio.run(sync_to_file(build_connector(settings), tmp_path / "one-shot.c1z"))
        asyncio.run(engine_sync(settings, tmp_path / "served.c1z", channel="grpc"))
        asyncio.run(engine_sync(settings, tmp_path / "in-process.c1z", channel="in-process"))

        async def service_mode() -> bytes:
            async with platform.serving(lambda: build_connector(settings)) as running:
                running.service.queue.append(sync_task("same"))
                done = await finished(running.service, "same", timeout=60)
            assert done.WhichOneof("final_state") == "success", done.status.message
            return running.service.seen.uploads["same"].data

        (tmp_path / "service.c1z").write_bytes(asyncio.run(service_mode()))
    one_shot = rows_of(tmp_path / "one-shot.c1z")
    assert sum(key.startswith("v1_grants/") for key in one_shot) > 100
    assert any(needs for _, _, needs in one_shot.values())  # group grants that expand, on every path
    assert rows_of(tmp_path / "served.c1z") == one_shot
    assert rows_of(tmp_path / "in-process.c1z") == one_shot
    assert rows_of(tmp_path / "service.c1z") == one_shot
