"""The completeness report a finished sync keeps in its c1z (its counters), for tests."""

from __future__ import annotations

from pathlib import Path

from baton_confluence.baton.inspect.render import completeness_of
from tests.baton.sync.c1z_rows import latest_sync, open_c1z


def report_counters(path: Path, *prefixes: str) -> dict[str, int]:
    """The latest full sync's report counters (only those starting with `prefixes`, when given)."""
    conn = open_c1z(path)
    (token,) = conn.execute("select sync_token from v1_sync_runs where sync_id = ?", (latest_sync(conn),)).fetchone()
    counters = completeness_of(token).counters
    return {k: v for k, v in counters.items() if not prefixes or k.startswith(prefixes)}
