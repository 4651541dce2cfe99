"""What the engine reports while it runs; the command line renders it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class SyncProgress:
    """Counters the engine updates; a display polls them (no callbacks on the hot path)."""

    phase: str = "starting"
    resources: Counter[str] = field(default_factory=Counter)
    entitlements: int = 0
    grants: int = 0
    expanded_grants: int = 0
    # wall seconds per finished phase, in order; "finish" is end of sync, stats and cleanup;
    # a one-shot sync adds "write c1z" (compressing the work db into the file)
    phase_seconds: dict[str, float] = field(default_factory=dict)

    def summary_line(self) -> str:
        return (
            f"{self.phase}: {sum(self.resources.values())} resources, {self.entitlements} entitlements, "
            f"{self.grants} grants, {self.expanded_grants} expanded"
        )
