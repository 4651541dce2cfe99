"""What grant expansion (`baton/sync/expansion.py`) and a store it runs on exchange (docs/protocol.md §2.2).

The algorithm reaches storage only through `ExpansionStore`; a store that can write derived
grants itself, without handing each one to Python, also offers `BulkDerivation`, which the
algorithm detects with `isinstance`. The records here are plain data: no SQL, no protobuf.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

PrincipalKey = tuple[str, str]  # (principal resource type, principal resource id)

# A store's short stand-in for a PrincipalKey (see `HolderKeys`). Two principals may share one:
# the algorithm only uses these to pick the principals that *might* need merging, and merging
# handles any principal correctly, so a collision costs speed, never correctness.
KeyHash = int


def holds_directly(source: str, sources_of_grant: Collection[str]) -> bool:
    """Whether a grant of `source` holds it directly: a connector's own grant has no sources,
    and a grant that expansion merged into keeps `source` among them (docs/protocol.md §2.2)."""
    return not sources_of_grant or source in sources_of_grant


@dataclass(frozen=True, slots=True)
class ExpandableGrant:
    """A grant of `entitlement_id` to `principal` whose holders of each of `sources` also hold it."""

    grant_id: str
    entitlement_id: str
    principal: PrincipalKey
    sources: tuple[str, ...]
    shallow: bool  # only principals holding a source directly count
    principal_types: tuple[str, ...]  # empty: every principal type counts


@dataclass(frozen=True, slots=True)
class HolderSelection:
    """The holders of one source entitlement that one expansion edge carries over."""

    source: str
    principal_types: tuple[str, ...] = ()
    direct_only: bool = False


@dataclass(frozen=True, slots=True)
class HolderKeys:
    """The key hashes of a selection's holders; `repeated` are those holding the source through
    more than one grant, whose directness the algorithm must combine itself."""

    keys: frozenset[KeyHash]
    repeated: frozenset[KeyHash]


@dataclass(frozen=True, slots=True)
class Holding:
    """One grant by which a principal holds a source entitlement."""

    principal: PrincipalKey
    direct: bool  # `holds_directly` of that grant
    principal_data: bytes  # the store's own encoding of the principal; opaque, handed back in DerivedGrant


@dataclass(slots=True)
class HeldGrant:
    """A grant of the destination that a principal already has; `sources` is updated in place."""

    grant_id: str
    principal: PrincipalKey
    sources: dict[str, bool]  # entitlement id -> is_direct


@dataclass(frozen=True, slots=True)
class DerivedGrant:
    """A new grant of the destination to `principal`, derived from `sources`."""

    principal: PrincipalKey
    principal_data: bytes
    sources: dict[str, bool]


class ExpansionStore(Protocol):
    """The grants of one sync, as expansion reads and writes them."""

    def expandable_grants(self) -> Iterable[ExpandableGrant]: ...

    def entitlement_owner(self, entitlement_id: str) -> PrincipalKey | None:
        """The resource the entitlement belongs to, or None when this sync has no such entitlement."""
        ...

    def holder_keys(self, selection: HolderSelection) -> HolderKeys: ...

    def holders(self, selection: HolderSelection, among: frozenset[KeyHash] | None = None) -> Iterable[Holding]:
        """Every grant of the selection (only those whose principal's key hash is in `among`, if given)."""
        ...

    def held_keys(self, entitlement_id: str) -> frozenset[KeyHash]:
        """The key hashes of the principals holding the entitlement now."""
        ...

    def held_grants(self, entitlement_id: str, principals: Collection[PrincipalKey]) -> Iterable[HeldGrant]:
        """The grants of the entitlement held by any of `principals`."""
        ...

    def add_derived(self, entitlement_id: str, grants: Iterable[DerivedGrant]) -> None: ...

    def set_sources(self, entitlement_id: str, grants: Iterable[HeldGrant]) -> None:
        """Store the (changed) sources of grants that `held_grants` returned."""
        ...


@runtime_checkable
class BulkDerivation(Protocol):
    """A store that writes the derived grants of a whole selection itself."""

    def derive_in_bulk(
        self, entitlement_id: str, selection: HolderSelection, excluding: frozenset[KeyHash]
    ) -> int | None:
        """Derive a grant of the entitlement for every holder of the selection whose key hash is
        not in `excluding`, each with sources {selection.source: its directness}; returns how many,
        or None (having written nothing) when this selection is beyond what the store can do."""
        ...
