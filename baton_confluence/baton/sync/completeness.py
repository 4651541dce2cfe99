"""The completeness report of a sync: what was found where, and what could not be found.

An access review is only as good as its completeness, so a sync says, next to its counts, how it
got them and where it fell short. Two kinds of entries:

- **Counters** (`name -> int`). The engine keeps its own (principals looked up by type, found
  gone, not found, grants whose principal type the connector never declared). A connector adds
  its own by attaching a *completeness note* to any list response: a `google.protobuf.Struct`
  annotation with one key, `baton_completeness`, mapping counter names to numbers to add. The
  runtime does not interpret connector counter names; it sums and shows them. Names use dots to
  group (`accounts.search`, `permissions_skipped.unselected.copy-page`).
- **Unresolved principals**: `type:id` of principals a grant named that the connector could not
  find or reported as gone, kept in full up to `UNRESOLVED_KEPT` names (then only counted).

The report lives in the sync's checkpoint token, which is committed together with the rows it
describes: a sync killed and resumed reports exactly what an uninterrupted one would, and the
finished sync keeps it in the c1z (`inspect stats` shows it).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import any_pb2, struct_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb

NOTE_KEY = "baton_completeness"
UNRESOLVED_KEPT = 1000

# Engine counters (the connector's have its own names).
LOOKED_UP = "principals.looked_up"  # + ".<type>": fetched with GetResource because no listing had them
GONE = "principals.gone"  # + ".<type>": looked up, and the connector reports them deleted
NOT_FOUND = "principals.not_found"  # + ".<type>": the connector could not fetch them at all
UNDECLARED_TYPE = "grants.undeclared_principal_type"  # + ".<type>": kept out, the type is unknown
# Accounts' last activity, counted from the finished sync's user resources: `.known` for those
# whose UserTrait has last_login, `.unknown.<reason>` for those whose connector gave the reason
# in the resource profile under LAST_LOGIN_MISSING (accounts with neither are not counted).
LAST_LOGIN = "accounts.last_login"
LAST_LOGIN_MISSING = "last_login_missing"


def last_login_counts(resource: pb.resource.Resource, trait: pb.trait.UserTrait) -> dict[str, int]:
    """The LAST_LOGIN counter a user resource (with its UserTrait) adds to the report."""
    if trait.HasField("last_login"):
        return {f"{LAST_LOGIN}.known": 1}
    missing = resource.profile.fields.get(LAST_LOGIN_MISSING)
    if missing is not None and missing.string_value:
        return {f"{LAST_LOGIN}.unknown.{missing.string_value}": 1}
    return {}
EXPANSION_UNFINISHED = "expansion.unfinished_entitlements"  # a cycle hit expansion's safety bound


def note(counts: Mapping[str, int]) -> any_pb2.Any:
    """A completeness note for a response's annotations: counters to add to the sync's report."""
    struct = struct_pb2.Struct()
    struct.update({NOTE_KEY: {name: int(value) for name, value in counts.items() if value}})
    return ann.pack(struct)


def read_notes(annotations: Sequence[any_pb2.Any]) -> Counter[str]:
    """The counters of every completeness note among `annotations` (other Structs are ignored)."""
    found: Counter[str] = Counter()
    for struct in ann.find_all(annotations, struct_pb2.Struct):
        counts = struct.fields.get(NOTE_KEY)
        if counts is None or not counts.HasField("struct_value"):
            continue
        for name, value in counts.struct_value.fields.items():
            if value.HasField("number_value"):
                found[name] += int(value.number_value)
    return found


@dataclass
class CompletenessReport:
    counters: Counter[str] = field(default_factory=Counter)
    unresolved: list[str] = field(default_factory=list)
    unresolved_total: int = 0

    def add(self, counts: Mapping[str, int]) -> None:
        self.counters.update(counts)

    def unresolved_principal(self, key: str) -> None:
        # Lookups finish in whatever order the network gives; keeping the names sorted (the first
        # UNRESOLVED_KEPT of them) makes the report the same for the same site, run after run.
        self.unresolved_total += 1
        if len(self.unresolved) < UNRESOLVED_KEPT:
            bisect.insort(self.unresolved, key)
        elif key < self.unresolved[-1]:
            bisect.insort(self.unresolved, key)
            self.unresolved.pop()

    def to_json(self) -> dict[str, Any]:
        return {
            "counters": dict(sorted(self.counters.items())),
            "unresolved": self.unresolved,
            "unresolved_total": self.unresolved_total,
        }

    @classmethod
    def from_json(cls, raw: Any) -> CompletenessReport:
        if not isinstance(raw, dict):
            return cls()
        counters = raw.get("counters")
        unresolved = raw.get("unresolved")
        return cls(
            counters=Counter(
                {str(k): int(v) for k, v in counters.items() if isinstance(v, int)}
                if isinstance(counters, dict)
                else {}
            ),
            unresolved=[str(u) for u in unresolved] if isinstance(unresolved, list) else [],
            unresolved_total=int(raw.get("unresolved_total") or 0),
        )

    def lines(self) -> Iterable[str]:
        """Human-readable report lines, counters grouped by their first name part."""
        for name, value in sorted(self.counters.items()):
            yield f"{name:<48} {value:>9,}"
        if self.unresolved_total:
            shown = ", ".join(self.unresolved[:10])
            more = self.unresolved_total - min(10, len(self.unresolved))
            yield f"unresolved principals: {shown}" + (f" and {more:,} more" if more > 0 else "")
