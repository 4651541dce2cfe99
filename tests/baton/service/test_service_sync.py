"""Full-sync tasks: sync, upload the c1z, finish; and every way a sync task can stop early."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
from structlog.testing import LogCapture

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.runner.local_sync import StorageEngine
from baton_confluence.baton.service.upload import CHUNK_BYTES
from baton_confluence.baton.sync.engine import SyncOptions
from tests.baton.service.conftest import Platform
from tests.baton.service.connectors import Calls, ValidateGate, library_factory
from tests.baton.service.fake_baton import eventually
from tests.baton.service.tasks_util import finished, open_c1z, sync_task, type_counts


def test_sync_task_uploads_the_c1z_then_finishes(platform: Platform, tmp_path: Path) -> None:
    calls = Calls()

    async def scenario() -> None:
        async with platform.serving(library_factory(calls)) as running:
            running.service.queue.append(sync_task("sync-1"))
            done = await finished(running.service, "sync-1")
        assert await running.outcome() is None
        assert done.WhichOneof("final_state") == "success" and not done.HasField("status")
        assert [f.task_id for f in running.service.seen.finish_calls] == ["sync-1"], "finished once"
        assert done.host_id == "test-host"
        upload = running.service.seen.uploads["sync-1"]
        assert (upload.metadata.task_id, upload.metadata.host_id) == ("sync-1", "test-host")
        assert upload.checksum_ok, "eof carries the SHA-256 of the whole file"
        assert all(0 < size <= CHUNK_BYTES for size in running.service.seen.upload_chunks)
        with open_c1z(upload.data, tmp_path) as conn:
            assert type_counts(conn) == {"user": 5, "team": 2, "shelf": 2, "book": 3, "document": 3}
            assert conn.execute("select count(*) from v1_grants").fetchone()[0] > 0
            ended = conn.execute("select count(*) from v1_sync_runs where ended_at is not null").fetchone()[0]
            assert ended == 1
        assert running.service.seen.heartbeats["sync-1"] >= 1, "heartbeat before work"

    asyncio.run(scenario())
    assert list(platform.workdir.iterdir()) == [], "the temporary c1z is removed"
    assert calls.closed == calls.built


def test_task_options_narrow_the_sync(platform: Platform, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            task = sync_task("sync-2", sync_resource_type_ids=["user", "team"], skip_entitlements_and_grants=True)
            running.service.queue.append(task)
            done = await finished(running.service, "sync-2")
        assert done.WhichOneof("final_state") == "success"
        with open_c1z(running.service.seen.uploads["sync-2"].data, tmp_path) as conn:
            assert type_counts(conn) == {"user": 5, "team": 2}
            assert conn.execute("select count(*) from v1_grants").fetchone()[0] == 0
            assert conn.execute("select sync_type from v1_sync_runs").fetchall() == [("resources_only",)]

    asyncio.run(scenario())


def test_cancelled_heartbeat_stops_the_sync_without_upload(platform: Platform) -> None:
    calls = Calls()

    async def scenario() -> None:
        async with platform.serving(library_factory(calls, validate_gate=ValidateGate())) as running:
            running.service.cancel_after["sync-3"] = 3  # two heartbeats fine, the third cancels
            running.service.queue.append(sync_task("sync-3"))
            done = await finished(running.service, "sync-3", timeout=5)
            await eventually(lambda: calls.closed == calls.built, what="the cancelled sync closing its connector")
        assert done.WhichOneof("final_state") == "error" and not done.error.non_retryable
        assert done.status.code == grpc.StatusCode.CANCELLED.value[0]
        assert done.status.message == "ConductorOne cancelled the task"
        assert running.service.seen.heartbeats["sync-3"] == 3
        assert running.service.seen.uploads == {}

    asyncio.run(scenario())
    assert list(platform.workdir.iterdir()) == []


def test_nine_failed_heartbeats_stop_the_sync(platform: Platform) -> None:
    """Upstream cancels a task after nine heartbeats in a row fail (docs/protocol.md §4.3)."""

    async def scenario() -> None:
        async with platform.serving(library_factory(Calls(), validate_gate=ValidateGate())) as running:
            running.service.fail_heartbeats_from["sync-4"] = 2
            running.service.queue.append(sync_task("sync-4"))
            done = await finished(running.service, "sync-4", timeout=5)
        assert done.status.code == grpc.StatusCode.CANCELLED.value[0]
        assert done.status.message == "9 heartbeats in a row failed"
        assert running.service.seen.heartbeats["sync-4"] == 1 + 9, "the first one, then nine failures"
        assert running.service.seen.uploads == {}

    asyncio.run(scenario())


def test_failed_first_heartbeat_leaves_the_task_unstarted(platform: Platform) -> None:
    calls = Calls()

    async def scenario() -> None:
        async with platform.serving(library_factory(calls)) as running:
            running.service.fail_heartbeats_from["sync-5"] = 1
            running.service.queue.append(sync_task("sync-5"))
            await eventually(lambda: running.service.seen.heartbeats["sync-5"] == 1, what="first heartbeat")
            await eventually(lambda: running.service.seen.polls >= 3, what="polling to go on")
        assert running.service.seen.finished == {} and running.service.seen.uploads == {}

    asyncio.run(scenario())
    assert calls.built == 1, "only Hello built a connector; the sync never started"
    assert list(platform.workdir.iterdir()) == []


def test_failed_sync_is_reported_and_the_service_goes_on(platform: Platform) -> None:
    refused = ConnectorError(grpc.StatusCode.PERMISSION_DENIED, "the API token may not list users")

    async def scenario() -> None:
        async with platform.serving(library_factory(Calls(), validate_error=refused)) as running:
            running.service.queue.append(sync_task("sync-6"))
            done = await finished(running.service, "sync-6")
            polls = running.service.seen.polls
            await eventually(lambda: running.service.seen.polls > polls + 2, what="polling after the failure")
        assert await running.outcome() is None
        assert done.WhichOneof("final_state") == "error" and not done.error.non_retryable
        assert done.status.code == grpc.StatusCode.PERMISSION_DENIED.value[0]
        assert "the API token may not list users" in done.status.message
        assert running.service.seen.uploads == {}

    asyncio.run(scenario())


def test_shutdown_reports_a_running_sync_as_cancelled(platform: Platform) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls(), validate_gate=ValidateGate())) as running:
            running.service.queue.append(sync_task("sync-7"))
            await eventually(lambda: running.service.seen.heartbeats["sync-7"] >= 1, what="the sync to start")
            running.stop.set()
            assert await running.outcome(timeout=5) is None
        done = running.service.seen.finished["sync-7"]
        assert done.status.code == grpc.StatusCode.CANCELLED.value[0] and not done.error.non_retryable
        assert done.status.message == "the connector is shutting down"

    asyncio.run(scenario())
    assert list(platform.workdir.iterdir()) == []


def test_skip_grants_task_keeps_entitlements(platform: Platform, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            running.service.queue.append(sync_task("sync-8", skip_grants=True))
            done = await finished(running.service, "sync-8")
        assert done.WhichOneof("final_state") == "success"
        with open_c1z(running.service.seen.uploads["sync-8"].data, tmp_path) as conn:
            assert conn.execute("select count(*) from v1_grants").fetchone() == (0,)
            entitlements = {row[0] for row in conn.execute("select external_id from v1_entitlements")}
            assert {"team:t1:member", "document:d1:edit", "book:b1:reader"} <= entitlements
            assert conn.execute("select sync_type from v1_sync_runs").fetchall() == [("full",)]

    asyncio.run(scenario())


def test_local_skips_do_not_reach_service_syncs(platform: Platform, tmp_path: Path) -> None:
    """Upstream passes a local skip only to local syncs; a task without skips gets everything."""
    local = SyncOptions(skip_entitlements_and_grants=True, skip_expansion=True, skip_grants=True)

    async def scenario() -> None:
        async with platform.serving(library_factory(Calls()), sync_options=local) as running:
            running.service.queue.append(sync_task("sync-9"))
            done = await finished(running.service, "sync-9")
        assert done.WhichOneof("final_state") == "success"
        with open_c1z(running.service.seen.uploads["sync-9"].data, tmp_path) as conn:
            assert conn.execute("select sync_type from v1_sync_runs").fetchall() == [("full",)]
            grants = {row[0] for row in conn.execute("select external_id from v1_grants")}
        # d2 is edited by teams t1 (u1, u2, u3) and t2 (u3, u4): expansion ran.
        assert {f"document:d2:edit:user:{u}" for u in ("u1", "u2", "u3", "u4")} <= grants

    asyncio.run(scenario())


def test_a_pebble_task_gets_a_v1_file_and_one_log_line(platform: Platform, logs: LogCapture) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            running.service.queue.append(sync_task("sync-10", storage_engine="pebble"))
            done = await finished(running.service, "sync-10")
        assert done.WhichOneof("final_state") == "success"
        assert running.service.seen.uploads["sync-10"].data[:5] == b"C1ZF\x00"

    asyncio.run(scenario())
    said = [e for e in logs.entries if e["event"] == "storage_engine_pebble_not_written"]
    assert len(said) == 1 and said[0]["written"] == "sqlite (c1z v1)"


def test_the_local_storage_engine_wins_over_the_tasks(platform: Platform, logs: LogCapture) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls()), storage_engine=StorageEngine.SQLITE) as running:
            running.service.queue.append(sync_task("sync-11", storage_engine="pebble"))
            await finished(running.service, "sync-11")

    asyncio.run(scenario())
    assert not [e for e in logs.entries if e["event"] == "storage_engine_pebble_not_written"]
