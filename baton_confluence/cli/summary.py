"""The summary printed when a sync ends: the file's totals and the completeness report."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from baton_confluence.baton.sync.engine import SyncResult


def render(
    result: SyncResult, path: Path, requests: int | None = None, rate_limited: Mapping[str, int] | None = None
) -> str:
    """Counts come from the finished sync's stats, so a resumed sync shows the whole file, not
    only what its last run wrote; expanded grants are what the expansion phase derived."""
    stats, progress = result.stats, result.progress
    kind = ", partial: only the resources given by --sync-resources" if result.sync_type == "partial" else ""
    lines = [f"Synced to {path} (sync {result.sync_id}{', resumed' if result.resumed else ''}{kind})"]
    by_type = stats.resources_by_resource_type or dict(progress.resources)
    for type_id, count in sorted(by_type.items()):
        lines.append(f"  {type_id:<24} {count:>9,}")
    # A finished sync always has resource types; without any, its stats were never counted.
    counted = stats.resource_types > 0
    total_grants = stats.grants if counted else progress.grants + progress.expanded_grants
    lines.append(f"  {'entitlements':<24} {stats.entitlements if counted else progress.entitlements:>9,}")
    lines.append(f"  {'grants':<24} {total_grants - progress.expanded_grants:>9,}")
    lines.append(f"  {'expanded grants':<24} {progress.expanded_grants:>9,}")
    report = list(result.report.lines())
    if report:
        lines.append("  completeness:")
        lines.extend(f"    {line}" for line in report)
    tail = f"{result.seconds:.1f}s, {result.rpc_calls:,} connector calls"
    if requests is not None:
        tail += f", {requests:,} API requests"
    if rate_limited:
        # Cloud's points-based quotas name the quota they hit (RateLimit-Reason); others send none.
        reasons = ", ".join(f"{reason or 'no reason given'}: {n:,}" for reason, n in sorted(rate_limited.items()))
        tail += f", {sum(rate_limited.values()):,} rate-limited (429) answers ({reasons})"
    if result.warnings:
        tail += f", {len(result.warnings)} warnings"
    lines.append(f"  done in {tail}")
    return "\n".join(lines)
