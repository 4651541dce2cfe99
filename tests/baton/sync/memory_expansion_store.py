"""An `ExpansionStore` in plain dicts, for running the expansion algorithm with no c1z at all.

It implements only the protocol (no `BulkDerivation`), so tests that use it show the algorithm
needs nothing else from a store.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field

from baton_confluence.baton.expansion_contract import (
    DerivedGrant,
    ExpandableGrant,
    HeldGrant,
    HolderKeys,
    HolderSelection,
    Holding,
    KeyHash,
    PrincipalKey,
    holds_directly,
)


@dataclass
class MemoryGrant:
    grant_id: str
    entitlement_id: str
    principal: PrincipalKey
    sources: dict[str, bool] = field(default_factory=dict)
    derived: bool = False


class MemoryExpansionStore:
    def __init__(
        self,
        owners: dict[str, PrincipalKey],
        grants: list[MemoryGrant],
        expandable: list[ExpandableGrant],
    ) -> None:
        self.owners = owners  # entitlement id -> the resource it belongs to
        self.grants = {g.grant_id: g for g in grants}
        self.expandable = expandable

    def _of(self, entitlement_id: str) -> list[MemoryGrant]:
        return [g for g in self.grants.values() if g.entitlement_id == entitlement_id]

    def _selected(self, selection: HolderSelection) -> list[MemoryGrant]:
        return [
            g
            for g in self._of(selection.source)
            if (not selection.principal_types or g.principal[0] in selection.principal_types)
            and (not selection.direct_only or holds_directly(selection.source, g.sources))
        ]

    def expandable_grants(self) -> Iterator[ExpandableGrant]:
        yield from self.expandable

    def entitlement_owner(self, entitlement_id: str) -> PrincipalKey | None:
        return self.owners.get(entitlement_id)

    def holder_keys(self, selection: HolderSelection) -> HolderKeys:
        seen: set[KeyHash] = set()
        repeated: set[KeyHash] = set()
        for grant in self._selected(selection):
            key = hash(grant.principal)
            (repeated if key in seen else seen).add(key)
        return HolderKeys(frozenset(seen), frozenset(repeated))

    def holders(self, selection: HolderSelection, among: frozenset[KeyHash] | None = None) -> list[Holding]:
        return [
            Holding(g.principal, holds_directly(selection.source, g.sources), b"")
            for g in self._selected(selection)
            if among is None or hash(g.principal) in among
        ]

    def held_keys(self, entitlement_id: str) -> frozenset[KeyHash]:
        return frozenset(hash(g.principal) for g in self._of(entitlement_id))

    def held_grants(self, entitlement_id: str, principals: Collection[PrincipalKey]) -> list[HeldGrant]:
        return [
            HeldGrant(g.grant_id, g.principal, dict(g.sources))
            for g in self._of(entitlement_id)
            if g.principal in principals
        ]

    def add_derived(self, entitlement_id: str, grants: Iterable[DerivedGrant]) -> None:
        for derived in grants:
            grant_id = f"{entitlement_id}:{derived.principal[0]}:{derived.principal[1]}"
            assert grant_id not in self.grants, f"derived twice: {grant_id}"
            self.grants[grant_id] = MemoryGrant(
                grant_id, entitlement_id, derived.principal, dict(derived.sources), derived=True
            )

    def set_sources(self, entitlement_id: str, grants: Iterable[HeldGrant]) -> None:
        for held in grants:
            assert self.grants[held.grant_id].entitlement_id == entitlement_id
            self.grants[held.grant_id].sources = dict(held.sources)
