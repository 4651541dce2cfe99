"""The engine's retry and skip contract (docs/protocol.md §3.3)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc

from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError, RateLimitInfo
from baton_confluence.baton.runner.local_sync import sync_to_file
from baton_confluence.baton.server.status import rate_limit_from_trailer, status_trailer
from baton_confluence.baton.sync.client import wait_from_rate_limit
from baton_confluence.baton.sync.engine import SyncOptions
from tests.baton.sync.c1z_rows import ids, synced
from tests.baton.sync.library_connector import Faults, LibraryConnector, sample_library


def test_rate_limit_detail_round_trips_and_sets_the_wait() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    err = ConnectorError(
        grpc.StatusCode.UNAVAILABLE,
        "slow down",
        rate_limit=RateLimitInfo(limit=10, remaining=0, reset_at=now + timedelta(seconds=7)),
    )
    desc = rate_limit_from_trailer(status_trailer(err))
    assert desc is not None and desc.limit == 10
    assert wait_from_rate_limit(desc, now) == 7.0  # nothing left: wait for the reset
    desc.remaining = 3
    assert wait_from_rate_limit(desc, now) == 3.0  # 7 s spread over 3 requests, rounded up
    assert wait_from_rate_limit(pb.ratelimit.RateLimitDescription(), now) is None


def test_not_found_skips_the_step_with_a_warning(tmp_path: Path) -> None:
    faults = Faults(method="document-grants", nth=1, code=grpc.StatusCode.NOT_FOUND)
    path = tmp_path / "sync.c1z"
    result = asyncio.run(
        sync_to_file(LibraryConnector(sample_library(), page_size=5, faults=faults), path, SyncOptions(concurrency=1))
    )
    assert len(result.warnings) == 1 and "injected failure" in result.warnings[0]
    grants = ids(synced(path)["grants"], "document:")
    assert "d1:edit:user:u1" not in grants  # the first document's grants were skipped
    assert "d3:edit:user:u5" in grants  # the rest of the sync went on
