"""A c1z that decodes to more than BATON_DECODER_MAX_DECODED_SIZE_MB, through the real command line.

The cap is set to 1 MiB on a small synced file instead of syncing the 11 GB a big site needs:
repeated and resumed syncs into the file keep working, while the readers (`inspect`,
provisioning) refuse it in one line that says what to set, and leave it as it was.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zstandard
from confluence_simulator import SimulatedSite, SiteSpec

from tests.baton.sync.c1z_rows import open_c1z
from tests.e2e.checkpoints import wait_for_next_checkpoint
from tests.e2e.cli import run_cli, site_env

SMALL = {"seed": 3, "users": 40, "groups": 8, "spaces": 12, "permissions_per_space": 10}
SPEC = SiteSpec(**SMALL)  # type: ignore[arg-type]
CAP_ENV = "BATON_DECODER_MAX_DECODED_SIZE_MB"
SMALL_CAP = {CAP_ENV: "1"}


@pytest.fixture(scope="module")
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC) as running:
        yield running


def decoded_mib(path: Path) -> int:
    """What the frame header says the file decodes to, in MiB rounded up (read with zstandard)."""
    raw = path.read_bytes()
    assert raw[:5] == b"C1ZF\x00"
    return math.ceil(zstandard.get_frame_parameters(raw[5:]).content_size / 2**20)


def synced_id(stdout: str) -> str:
    found = re.search(r"^Synced to \S+ \(sync (\w+)", stdout, re.M)
    assert found, stdout
    return found.group(1)


def finished_full_syncs(path: Path) -> list[str]:
    conn = open_c1z(path)
    rows = conn.execute("select sync_id from v1_sync_runs where sync_type = 'full' and ended_at is not null order by id")
    return [sync_id for (sync_id,) in rows]


def sync(site: SimulatedSite, tmp_path: Path, env: dict[str, str]) -> str:
    result = run_cli([], tmp_path, {**site_env(site), **env})
    assert result.returncode == 0, result.stderr
    return synced_id(result.stdout)


def test_repeated_syncs_into_a_file_over_the_cap_keep_the_last_two(site: SimulatedSite, tmp_path: Path) -> None:
    first = sync(site, tmp_path, {})
    assert decoded_mib(tmp_path / "sync.c1z") > 1, "the site must decode to more than the 1 MiB cap"
    second = sync(site, tmp_path, SMALL_CAP)
    third = sync(site, tmp_path, SMALL_CAP)
    assert len({first, second, third}) == 3
    assert finished_full_syncs(tmp_path / "sync.c1z") == [second, third]


def test_a_sync_says_when_readers_will_refuse_its_file(site: SimulatedSite, tmp_path: Path) -> None:
    quiet = run_cli([], tmp_path, site_env(site))
    assert quiet.returncode == 0, quiet.stderr
    assert "c1z_over_reader_limit" not in quiet.stderr
    warned = run_cli([], tmp_path, {**site_env(site), **SMALL_CAP})
    assert warned.returncode == 0, warned.stderr
    need = decoded_mib(tmp_path / "sync.c1z")  # the file it wrote, now holding two syncs
    (event,) = [json.loads(line) for line in warned.stderr.splitlines() if "c1z_over_reader_limit" in line]
    assert event["level"] == "warning"
    assert f"set {CAP_ENV}={need} or more" in event["refusal"]


def test_a_resume_of_a_file_over_the_cap_finishes(tmp_path: Path) -> None:
    """Killed mid-sweep (as in test_resilience.py), then resumed with the small cap."""
    with SimulatedSite(SiteSpec(latency_ms=25, **SMALL)) as site:  # type: ignore[arg-type]
        sync(site, tmp_path, {})
        full_requests = site.stats.snapshot().total_requests
        site.reset_stats()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
        env.update(site_env(site), BATON_CHECKPOINT_INTERVAL_SECONDS="0.2", BATON_CONCURRENCY="2", **SMALL_CAP)
        proc = subprocess.Popen([sys.executable, "-m", "baton_confluence"], cwd=tmp_path, env=env)
        deadline = time.monotonic() + 60
        while site.stats.snapshot().total_requests < full_requests // 2 and time.monotonic() < deadline:
            assert proc.poll() is None
            time.sleep(0.02)
        wait_for_next_checkpoint(tmp_path / "sync.c1z.work.db", proc)  # that progress is committed
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert (tmp_path / "sync.c1z.work.db").exists()
        result = run_cli([], tmp_path, {**site_env(site), **SMALL_CAP})
    assert result.returncode == 0, result.stderr
    resumed = re.search(r"\(sync (\w+), resumed\)", result.stdout)
    assert resumed, result.stdout
    assert finished_full_syncs(tmp_path / "sync.c1z")[-1] == resumed.group(1)


def test_readers_refuse_in_one_line_with_the_value_to_set(site: SimulatedSite, tmp_path: Path) -> None:
    sync(site, tmp_path, {})
    path = tmp_path / "sync.c1z"
    before = path.read_bytes()
    need = decoded_mib(path)
    assert need > 1
    grant = open_c1z(path).execute("select external_id from v1_grants where external_id like 'group:%' limit 1")
    (grant_id,) = grant.fetchone()
    commands = {
        "inspect": ["inspect", "stats"],
        "provisioning": ["--revoke-grant", grant_id],
    }
    for name, args in commands.items():
        result = run_cli(args, tmp_path, {**site_env(site), **SMALL_CAP})
        assert result.returncode == 1, (name, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and "Traceback" not in result.stderr, (name, result.stderr)
        assert f"decodes to {need} MiB, {need - 1} MiB more than the 1 MiB" in lines[0], lines[0]
        assert f"set {CAP_ENV}={need} or more" in lines[0], lines[0]
        assert path.read_bytes() == before
    # The value the message names is enough.
    raised = run_cli(["inspect", "stats"], tmp_path, {CAP_ENV: str(need)})
    assert raised.returncode == 0, raised.stderr
