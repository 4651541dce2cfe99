"""The pacing rules (clamps, backoffs) and how a c1z is cut into upload messages."""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from google.protobuf import duration_pb2

from baton_confluence.baton import pb
from baton_confluence.baton.service import Timing
from baton_confluence.baton.service.upload import CHUNK_BYTES, file_sha256, upload_messages


def duration(seconds: float) -> duration_pb2.Duration:
    d = duration_pb2.Duration()
    d.FromTimedelta(timedelta(seconds=seconds))
    return d


@pytest.mark.parametrize(("given", "used"), [(-5, 0.0), (0, 0.0), (2.5, 2.5), (300, 300.0), (3600, 300.0)])
def test_next_poll_is_clamped_to_five_minutes(given: float, used: float) -> None:
    assert Timing().next_poll(duration(given)) == used


@pytest.mark.parametrize(("given", "used"), [(0, 30.0), (0.2, 1.0), (7, 7.0), (301, 300.0)])
def test_next_heartbeat_defaults_and_clamps(given: float, used: float) -> None:
    assert Timing().next_heartbeat(duration(given)) == used


def test_backoffs() -> None:
    timing = Timing()
    assert [timing.poll_error_wait(n) for n in (1, 2, 3, 7, 8, 50)] == [1, 4, 9, 49, 60, 60]
    assert [timing.hello_backoff(n) for n in (1, 2, 3, 9, 10, 20)] == [1, 2, 4, 256, 300, 300]


def test_upload_messages_are_metadata_chunks_then_checksum(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    content = os.urandom(2 * CHUNK_BYTES + 1234)
    path.write_bytes(content)
    checksum = file_sha256(path)
    assert checksum == hashlib.sha256(content).digest()

    async def collect() -> list[pb.baton.BatonServiceUploadAssetRequest]:
        return [m async for m in upload_messages(path, "host-1", "task-1", checksum)]

    messages = asyncio.run(collect())
    kinds = [m.WhichOneof("msg") for m in messages]
    assert kinds == ["metadata", "data", "data", "data", "eof"]
    first, *data, last = messages
    assert (first.metadata.host_id, first.metadata.task_id) == ("host-1", "task-1")
    assert [len(m.data.data) for m in data] == [CHUNK_BYTES, CHUNK_BYTES, 1234]
    assert b"".join(m.data.data for m in data) == content
    assert last.eof.sha256_checksum == checksum
