"""The resumable state of a sync, saved as JSON in `v1_sync_runs.sync_token`.

Phases run in order. Top-level listings keep their next page token per resource type. The
per-resource sweep walks stored resources in rowid order with many in flight: every rowid up
to `frontier` is finished, `done` holds finished rowids beyond it, and `steps` the position
(step index, page token) of resources that were part-way when the checkpoint was taken.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum

from baton_confluence.baton.sync.completeness import CompletenessReport


class Phase(StrEnum):
    """The sync's phases, in the order they run; the value is what a checkpoint stores."""

    RESOURCE_TYPES = "resource_types"
    RESOURCES = "resources"
    SWEEP = "sweep"
    EXPANSION = "expansion"
    DONE = "done"  # every phase ran: what is left is finishing (stats, cleanup)


PHASES = tuple(Phase)
DONE = "\x00done"  # a listing token that marks a finished listing


@dataclass
class SweepState:
    frontier: int = 0
    done: set[int] = field(default_factory=set)
    steps: dict[int, tuple[int, str]] = field(default_factory=dict)
    in_flight: set[int] = field(default_factory=set)
    last_dispatched: int = 0

    def dispatch(self, rowid: int) -> None:
        self.in_flight.add(rowid)
        self.last_dispatched = max(self.last_dispatched, rowid)

    def finish(self, rowid: int) -> None:
        self.in_flight.discard(rowid)
        self.steps.pop(rowid, None)
        self.done.add(rowid)

    def compact(self) -> None:
        """Move the frontier up to just below the oldest resource still in flight."""
        frontier = min(self.in_flight) - 1 if self.in_flight else self.last_dispatched
        self.frontier = max(self.frontier, frontier)
        self.done = {r for r in self.done if r > self.frontier}

    def is_done(self, rowid: int) -> bool:
        return rowid <= self.frontier or rowid in self.done


@dataclass
class SyncState:
    phase: Phase = Phase.RESOURCE_TYPES
    listings: dict[str, str] = field(default_factory=dict)
    sweep: SweepState = field(default_factory=SweepState)
    report: CompletenessReport = field(default_factory=CompletenessReport)
    expanded_grants: int = 0  # set when the expansion phase ends, so a resumed finish still knows it

    def to_json(self) -> str:
        self.sweep.compact()
        return json.dumps(
            {
                "version": 1,
                "engine": "baton-confluence",
                "phase": self.phase,
                "listings": self.listings,
                "sweep": {
                    "frontier": self.sweep.frontier,
                    "done": sorted(self.sweep.done),
                    "steps": {str(k): list(v) for k, v in sorted(self.sweep.steps.items())},
                },
                "completeness": self.report.to_json(),
                "expanded_grants": self.expanded_grants,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> SyncState:
        """An empty or foreign token (e.g. one a Go engine wrote) starts from the beginning."""
        try:
            raw = json.loads(text) if text else {}
        except ValueError:
            raw = {}
        if raw.get("engine") != "baton-confluence" or raw.get("phase") not in PHASES:
            return cls()
        sweep = raw.get("sweep", {})
        return cls(
            phase=Phase(raw["phase"]),
            listings=dict(raw.get("listings", {})),
            sweep=SweepState(
                frontier=int(sweep.get("frontier", 0)),
                last_dispatched=int(sweep.get("frontier", 0)),
                done={int(x) for x in sweep.get("done", [])},
                steps={int(k): (int(v[0]), str(v[1])) for k, v in sweep.get("steps", {}).items()},
            ),
            report=CompletenessReport.from_json(raw.get("completeness")),
            expanded_grants=int(raw.get("expanded_grants") or 0),
        )
