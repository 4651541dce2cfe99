"""The `stats` column of a sync: Go's encoding/json of c1.reader.v2.SyncStats (docs/protocol.md §1.5),
and `SyncStats`, the typed record of it that travels from the store to the engine and the CLI.

Go marshals the generated struct, so keys are the snake_case proto names in field order,
zero numbers and empty maps are omitted (`omitempty`), map keys are sorted, and the output
is compact. Readers ignore the cached value when `resource_types` is 0 and recompute.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from baton_confluence.baton.c1z.schema import ASSETS, ENTITLEMENTS, GRANTS, RESOURCE_TYPES, RESOURCES

_CALL_STAT_KEYS = ("count", "total_ms", "max_ms", "errors", "timeouts")


@dataclass(frozen=True, slots=True)
class SyncStats:
    """The row counts of one finished sync (c1.reader.v2.SyncStats), as the store hands them to
    the engine and the engine to the command line's summary. `to_json_dict` is the stored shape."""

    resource_types: int = 0
    resources: int = 0
    entitlements: int = 0
    grants: int = 0
    resources_by_resource_type: Mapping[str, int] = field(default_factory=dict)
    grants_by_resource_type: Mapping[str, int] = field(default_factory=dict)
    entitlements_by_resource_type: Mapping[str, int] = field(default_factory=dict)
    assets: int = 0
    step_durations_ms: Mapping[str, int] = field(default_factory=dict)
    connector_call_stats: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    session_store_stats: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """Go's field order, zero numbers and empty maps left out (`omitempty`), map keys sorted."""
        stats = {
            "resource_types": self.resource_types,
            "resources": self.resources,
            "entitlements": self.entitlements,
            "grants": self.grants,
            "resources_by_resource_type": _sorted(self.resources_by_resource_type),
            "grants_by_resource_type": _sorted(self.grants_by_resource_type),
            "entitlements_by_resource_type": _sorted(self.entitlements_by_resource_type),
            "assets": self.assets,
            "step_durations_ms": _sorted(self.step_durations_ms),
            "connector_call_stats": _sorted({k: dict(v) for k, v in self.connector_call_stats.items()}),
            "session_store_stats": _sorted({k: dict(v) for k, v in self.session_store_stats.items()}),
        }
        return {k: v for k, v in stats.items() if v}


def compute(conn: sqlite3.Connection, sync_id: str, sync_type: str, sync_token: str = "") -> SyncStats:
    """Count the rows of one sync."""
    type_ids = [r[0] for r in conn.execute(f"select external_id from {RESOURCE_TYPES} where sync_id = ?", (sync_id,))]
    # Every known type gets an entry, even with no rows; rows of unknown types are not counted.
    resources_by = dict.fromkeys(type_ids, 0)
    for rtype, count in _count_by_type(conn, RESOURCES, sync_id).items():
        if rtype in resources_by:
            resources_by[rtype] = count
    entitlements_by: dict[str, int] = {}
    grants_by: dict[str, int] = {}
    if sync_type != "resources_only":
        entitlements_by = _count_by_type(conn, ENTITLEMENTS, sync_id)
        grants_by = _count_by_type(conn, GRANTS, sync_id)
    (assets,) = conn.execute(f"select count(*) from {ASSETS} where sync_id = ?", (sync_id,)).fetchone()
    return SyncStats(
        resource_types=len(type_ids),
        resources=sum(resources_by.values()),
        entitlements=sum(entitlements_by.values()),
        grants=sum(grants_by.values()),
        resources_by_resource_type=_sorted(resources_by),
        grants_by_resource_type=_sorted(grants_by),
        entitlements_by_resource_type=_sorted(entitlements_by),
        assets=assets,
        **_token_timing(sync_token),
    )


def _count_by_type(conn: sqlite3.Connection, table: str, sync_id: str) -> dict[str, int]:
    rows = conn.execute(
        f"select resource_type_id, count(*) from {table} where sync_id = ? group by resource_type_id", (sync_id,)
    )
    return {rtype: count for rtype, count in rows}


def _sorted(counts: Mapping[str, Any]) -> dict[str, Any]:
    return {k: counts[k] for k in sorted(counts)}


def _token_timing(sync_token: str) -> dict[str, Any]:
    """Timing/call stats the sync engine keeps in its checkpoint token, lifted like Go does."""
    try:
        token = json.loads(sync_token) if sync_token else None
    except ValueError:
        return {}
    if not isinstance(token, dict):
        return {}
    out: dict[str, Any] = {}
    durations = token.get("step_durations_ms")
    if isinstance(durations, dict) and durations:
        out["step_durations_ms"] = _sorted({str(k): int(v) for k, v in durations.items()})
    for key in ("connector_call_stats", "session_store_stats"):
        calls = token.get(key)
        if isinstance(calls, dict) and calls:
            out[key] = _sorted({str(k): _call_stat(v) for k, v in calls.items()})
    return out


def _call_stat(value: Any) -> dict[str, int]:
    raw = value if isinstance(value, dict) else {}
    return {k: int(raw[k]) for k in _CALL_STAT_KEYS if raw.get(k)}


def to_json(stats: SyncStats) -> str:
    """Compact JSON with Go's HTML-safe escaping of <, > and &."""
    text = json.dumps(stats.to_json_dict(), separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
