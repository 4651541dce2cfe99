"""`inspect diff`: what was added and removed between two syncs of one c1z file.

Objects are compared by their ids (the `external_id` column, docs/protocol.md §1.3), so a
grant that moved from "via a group" to "direct" is the same grant; a resource whose stored
message differs (a renamed space, an account that was disabled) is reported as changed.
Every list is one indexed query streamed to the output, so a diff of two large syncs runs in
bounded memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, TextIO

from baton_confluence.baton.c1z import ENTITLEMENTS, GRANTS, RESOURCES, C1ZReader, SyncRun
from baton_confluence.baton.inspect.access import InspectError

Output = Literal["table", "json"]


class Kind(StrEnum):
    RESOURCE = "resource"
    ENTITLEMENT = "entitlement"
    GRANT = "grant"


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


_TABLES = {Kind.RESOURCE: RESOURCES, Kind.ENTITLEMENT: ENTITLEMENTS, Kind.GRANT: GRANTS}
_SIGNS = {Change.ADDED: "+", Change.REMOVED: "-", Change.CHANGED: "~"}
# Which changes each kind can have: only a resource's own message says anything beyond its id.
_CHANGES = {
    Kind.RESOURCE: (Change.ADDED, Change.REMOVED, Change.CHANGED),
    Kind.ENTITLEMENT: (Change.ADDED, Change.REMOVED),
    Kind.GRANT: (Change.ADDED, Change.REMOVED),
}


@dataclass(frozen=True)
class SyncPair:
    before: SyncRun
    after: SyncRun


def choose_syncs(reader: C1ZReader, from_id: str | None, to_id: str | None) -> SyncPair:
    """The syncs to compare: given ids, else the latest finished full sync and the one before it."""
    after = _sync(reader, to_id) if to_id else reader.latest_finished_full_sync()
    if after is None:
        raise InspectError(f"{reader.path}: holds no finished full sync to compare; run a sync first")
    before = _sync(reader, from_id) if from_id else reader.latest_finished_full_sync(before=after)
    if before is None:
        raise InspectError(
            f"{reader.path}: holds only one finished full sync ({after.id}); sync again to have two, "
            "or name the syncs to compare with --from and --to (`inspect syncs` lists them)"
        )
    return SyncPair(before, after)


def _sync(reader: C1ZReader, sync_id: str) -> SyncRun:
    found = reader.sync(sync_id)
    if found is None:
        raise InspectError(f"{reader.path}: has no sync {sync_id}; list the syncs it holds with `inspect syncs`")
    return found


def count(reader: C1ZReader, pair: SyncPair, kind: Kind, change: Change) -> int:
    listed, other = _sides(pair, change)
    return reader.count_compared(_TABLES[kind], listed, other, changed=change == Change.CHANGED)


def changes(reader: C1ZReader, pair: SyncPair, kind: Kind, change: Change) -> Iterator[str]:
    """Ids of one kind and change, in id order."""
    listed, other = _sides(pair, change)
    return reader.ids_compared(_TABLES[kind], listed, other, changed=change == Change.CHANGED)


def _sides(pair: SyncPair, change: Change) -> tuple[str, str]:
    """(the sync the ids are listed from, the other): the later sync for added and changed, the
    earlier for removed."""
    return (pair.before.id, pair.after.id) if change == Change.REMOVED else (pair.after.id, pair.before.id)


def write_diff(reader: C1ZReader, pair: SyncPair, out: TextIO, output: Output = "table") -> bool:
    """Write the differences; True when there are any (for `--exit-code`)."""
    counts = {(k, c): count(reader, pair, k, c) for k, cs in _CHANGES.items() for c in cs}
    if output == "json":
        _write_json(reader, pair, counts, out)
    else:
        _write_table(reader, pair, counts, out)
    return any(counts.values())


def _describe(run: SyncRun) -> str:
    return f"{run.id} ({run.type}, ended {run.ended_at or 'never'})"


def _write_table(reader: C1ZReader, pair: SyncPair, counts: dict[tuple[Kind, Change], int], out: TextIO) -> None:
    out.write(f"from {_describe(pair.before)}\n  to {_describe(pair.after)}\n\n")
    width = max(len(k.value) for k in Kind) + 1
    out.write(f"{'':<{width}}  {'ADDED':>8}  {'REMOVED':>8}  {'CHANGED':>8}\n")
    for kind, kind_changes in _CHANGES.items():
        cells = [f"{counts[(kind, c)]:>8}" if c in kind_changes else f"{'':>8}" for c in Change]
        out.write(f"{kind.value + 's':<{width}}  {'  '.join(cells)}".rstrip() + "\n")
    if not any(counts.values()):
        out.write("\nno differences\n")
        return
    out.write("\n")
    for kind, kind_changes in _CHANGES.items():
        for change in kind_changes:
            for external_id in changes(reader, pair, kind, change):
                out.write(f"{_SIGNS[change]} {kind.value:<{width - 1}}  {external_id}\n")


def _write_json(reader: C1ZReader, pair: SyncPair, counts: dict[tuple[Kind, Change], int], out: TextIO) -> None:
    """One JSON document, written piece by piece so that no list is held in memory."""
    head = {"from": pair.before.id, "to": pair.after.id}
    out.write(json.dumps(head)[:-1])
    for kind, kind_changes in _CHANGES.items():
        out.write(f', "{kind.value}s": {{')
        for i, change in enumerate(kind_changes):
            out.write(f'{", " if i else ""}"{change.value}": [')
            for j, external_id in enumerate(changes(reader, pair, kind, change)):
                out.write(("" if j == 0 else ", ") + json.dumps(external_id, ensure_ascii=False))
            out.write("]")
        out.write("}")
    totals = {f"{k.value}s_{c.value}": n for (k, c), n in counts.items()}
    out.write(f', "counts": {json.dumps(totals)}}}\n')
