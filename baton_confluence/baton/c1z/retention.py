"""Which old syncs a c1z keeps (docs/protocol.md §1.5; Go `c1zstore.SelectSyncsToDelete`).

Keep the newest N finished full syncs, counting the sync being written; drop partial and
resources-only syncs that ended before the oldest kept full sync started; of the diff
syncs keep only the newest and its linked partner. Unfinished syncs are never touched.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from baton_confluence.baton.c1z import schema, timefmt
from baton_confluence.baton.c1z.sync_runs import SyncRun

DEFAULT_KEEP = 2
KEEP_ENV = "BATON_KEEP_SYNC_COUNT"
SKIP_ENV = "BATON_SKIP_CLEANUP"

_PARTIAL_TYPES = ("partial", "resources_only")
_DIFF_TYPES = ("partial_upserts", "partial_deletions")


def skipped_by_env() -> bool:
    # Go's strconv.ParseBool truth values.
    return os.environ.get(SKIP_ENV, "") in ("1", "t", "T", "true", "TRUE", "True")


def resolve_limit(keep: int | None, current_sync_open: bool) -> int:
    """Finished full syncs to keep besides the current one (Go `ResolveCleanupSyncLimit`)."""
    limit = DEFAULT_KEEP
    if keep is not None and keep > 0:
        limit = keep
    else:
        try:
            env = int(os.environ.get(KEEP_ENV, ""))
        except ValueError:
            env = 0
        if env > 0:
            limit = env
    if current_sync_open and limit > 0:
        limit -= 1
    return limit


def select_to_delete(runs: Sequence[SyncRun], current_sync_id: str, limit: int) -> list[str]:
    """Ids of syncs to delete; `runs` must be oldest first."""
    done = [r for r in runs if r.ended_at is not None and r.id != current_sync_id]
    fulls = [r for r in done if r.type not in _PARTIAL_TYPES + _DIFF_TYPES]
    partials = [r for r in done if r.type in _PARTIAL_TYPES]
    diffs = [r for r in done if r.type in _DIFF_TYPES]
    doomed: list[str] = []
    if len(fulls) > limit:
        overflow = len(fulls) - limit
        doomed += [r.id for r in fulls[:overflow]]
        # The oldest full sync kept; with a sync open, Go measures from the last deleted one.
        cutoff_idx = overflow - 1 if current_sync_id else overflow
        if 0 <= cutoff_idx < len(fulls):
            doomed += _partials_before(partials, fulls[cutoff_idx])
    if len(diffs) > 2:
        doomed += _stale_diffs(diffs)
    return doomed


def _partials_before(partials: Sequence[SyncRun], cutoff: SyncRun) -> list[str]:
    started = timefmt.parse(cutoff.started_at)
    if started is None:
        return []
    out = []
    for run in partials:
        ended = timefmt.parse(run.ended_at or "")
        if ended is not None and _before(ended, started):
            out.append(run.id)
    return out


def _before(a: datetime, b: datetime) -> bool:
    try:
        return a < b
    except TypeError:  # one has a zone and the other not: not comparable, keep the sync
        return False


def _stale_diffs(diffs: Sequence[SyncRun]) -> list[str]:
    latest = diffs[-1]
    keep = {latest.id}
    if latest.linked_sync_id and any(d.id == latest.linked_sync_id for d in diffs):
        keep.add(latest.linked_sync_id)
    return [d.id for d in diffs if d.id not in keep]


def delete_sync(conn: sqlite3.Connection, sync_id: str) -> None:
    """Remove every row of one sync; the sync_runs row goes last, as in Go."""
    for table in schema.ALL_TABLES:
        if table != schema.SYNC_RUNS:
            conn.execute(f"delete from {table} where sync_id = ?", (sync_id,))
    conn.execute(f"delete from {schema.SYNC_RUNS} where sync_id = ?", (sync_id,))
