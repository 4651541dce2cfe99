"""Waiting for a running sync (another process) to save a checkpoint, by reading its work
database: a kill that must land after some progress waits for that progress to be committed,
instead of sleeping for longer than the checkpoint interval and hoping."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

POLL_SECONDS = 0.01


def latest_token(work_db: Path) -> str | None:
    """The resume token the running sync last committed, or None before it has one (or while the
    file is being created). Finished syncs (the work database starts as a copy of the file, with
    the syncs it already holds) are not the running one."""
    if not work_db.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{work_db}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("select sync_token from v1_sync_runs where ended_at is null order by rowid desc limit 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def wait_for_next_checkpoint(
    work_db: Path, proc: subprocess.Popen[str] | subprocess.Popen[bytes], timeout: float = 30
) -> str:
    """Waits until the sync commits a resume token other than the one it holds now; returns it.
    Fails if the process ends first or nothing is committed within `timeout` seconds."""
    before = latest_token(work_db)
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, "the sync ended before its next checkpoint"
        token = latest_token(work_db)
        if token and token != before:
            return token
        assert time.monotonic() < deadline, f"no new checkpoint in {work_db} within {timeout} s"
        time.sleep(POLL_SECONDS)  # polling a condition in another process, not ordering by time
