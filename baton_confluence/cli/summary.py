"""The summary printed when a sync ends."""

from __future__ import annotations

from pathlib import Path

from baton_confluence.baton.sync.engine import SyncResult


def render(result: SyncResult, path: Path, requests: int | None = None) -> str:
    progress = result.progress
    lines = [f"Synced to {path} (sync {result.sync_id}{', resumed' if result.resumed else ''})"]
    for type_id, count in sorted(progress.resources.items()):
        lines.append(f"  {type_id:<24} {count:>9,}")
    lines.append(f"  {'entitlements':<24} {progress.entitlements:>9,}")
    lines.append(f"  {'grants':<24} {progress.grants:>9,}")
    lines.append(f"  {'expanded grants':<24} {progress.expanded_grants:>9,}")
    tail = f"{result.seconds:.1f}s, {result.rpc_calls:,} connector calls"
    if requests is not None:
        tail += f", {requests:,} API requests"
    if result.warnings:
        tail += f", {len(result.warnings)} warnings"
    lines.append(f"  done in {tail}")
    return "\n".join(lines)
