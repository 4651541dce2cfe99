"""Faults and interruptions end in the same c1z as a clean run, and never touch the old file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from confluence_simulator import DataVariants, FaultSpec, SimulatedSite, SiteSpec

from tests.baton.sync.c1z_rows import sync_content as content
from tests.e2e.checkpoints import wait_for_next_checkpoint
from tests.e2e.cli import run_cli, site_env

SMALL = {"seed": 11, "users": 60, "groups": 10, "spaces": 24, "permissions_per_space": 10}


def clean_sync(tmp: Path, spec: SiteSpec) -> tuple[dict[str, bytes], int]:
    with SimulatedSite(spec) as site:
        result = run_cli([], tmp, site_env(site))
        assert result.returncode == 0, result.stderr
        (tmp / "summary.txt").write_text(result.stdout)
        return content(tmp / "sync.c1z"), site.stats.snapshot().total_requests


def _totals(summary: str) -> list[str]:
    """The count lines of a sync summary (everything but the header and the timing line)."""
    lines = summary.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Synced to"))
    return [line for line in lines[start + 1 :] if not line.strip().startswith("done in")]


def test_transient_faults_give_the_clean_result(tmp_path: Path) -> None:
    (tmp_path / "clean").mkdir()
    (tmp_path / "faulty").mkdir()
    expected, _ = clean_sync(tmp_path / "clean", SiteSpec(**SMALL))  # type: ignore[arg-type]
    faults = FaultSpec(
        p_429=0.05,
        p_429_retry_after=0.05,
        p_503=0.05,
        p_reset=0.05,
        p_slow=0.05,
        slow_ms=300,
        truncate_once_path="/wiki/api/v2/spaces",
        seed=5,
    )
    with SimulatedSite(SiteSpec(faults=faults, **SMALL)) as site:  # type: ignore[arg-type]
        result = run_cli([], tmp_path / "faulty", site_env(site))
        injected = site.stats.snapshot().faults
    assert result.returncode == 0, result.stderr
    assert injected.get("truncate") == 1, injected
    assert {"429", "429_retry_after", "503", "reset"} <= set(injected), injected
    assert content(tmp_path / "faulty" / "sync.c1z") == expected


def _start_sync(tmp: Path, site: SimulatedSite, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    env.update(site_env(site), BATON_CHECKPOINT_INTERVAL_SECONDS="0.2", BATON_CONCURRENCY="2")
    return subprocess.Popen(
        [sys.executable, "-m", "baton_confluence", *args],
        cwd=tmp,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_after(site: SimulatedSite, proc: subprocess.Popen[str], requests: float, work_db: Path) -> None:
    """SIGKILL the sync once the site has answered `requests` requests and a checkpoint landed."""
    deadline = time.monotonic() + 60
    while site.stats.snapshot().total_requests < requests and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    wait_for_next_checkpoint(work_db, proc)  # that progress is committed
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


# Accounts only grants name (app accounts, deleted principals, users in no group past the search)
# make the sweep look principals up, so a kill can land between a lookup and its grants.
VARIANTS = DataVariants(ungrouped_users=6, app_permissions=True, missing_principals=3)


@pytest.mark.parametrize(
    "kill_at",
    [0.1, 0.4, 0.7],
    ids=["during-the-user-listing", "mid-sweep", "late-sweep"],
)
def test_kill_9_then_resume(tmp_path: Path, kill_at: float) -> None:
    spec = SiteSpec(latency_ms=25, variants=VARIANTS, **SMALL)  # type: ignore[arg-type]
    (tmp_path / "clean").mkdir()
    expected, fresh_requests = clean_sync(tmp_path / "clean", spec)
    clean_totals = _totals((tmp_path / "clean" / "summary.txt").read_text())

    work = tmp_path / "run"
    work.mkdir()
    old = work / "sync.c1z"
    with SimulatedSite(spec) as site:
        assert run_cli([], work, site_env(site)).returncode == 0  # a previous sync to protect
    before = old.read_bytes()

    with SimulatedSite(spec) as site:
        kill_after(site, _start_sync(work, site), fresh_requests * kill_at, work / "sync.c1z.work.db")
        assert old.read_bytes() == before
        assert (work / "sync.c1z.work.db").exists()
        site.reset_stats()
        resumed = run_cli([], work, site_env(site))
        resumed_requests = site.stats.snapshot().total_requests
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed" in resumed.stdout
    if kill_at >= 0.4:  # an early kill lands before the first listing checkpoint: all is redone
        assert resumed_requests < fresh_requests, (resumed_requests, fresh_requests)
    assert content(old) == expected
    assert not (work / "sync.c1z.work.db").exists()
    # the summary shows the file's totals, not only what the resumed run wrote
    assert _totals(resumed.stdout) == clean_totals
