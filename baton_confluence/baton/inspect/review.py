"""Review highlights: the holdings an access review looks at first, tallied in one pass.

What counts as administration or as open access depends on the connector, so the caller says
(`ReviewRules`); accounts, their status and type come from the Baton user trait.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from baton_confluence.baton.inspect.access import AccountType, Holding, ResourceInfo, ResourceRef
from baton_confluence.baton.inspect.layered_access import LayeredAccessRule


@dataclass(frozen=True)
class ReviewRules:
    admin_slugs: frozenset[str] = frozenset()  # entitlement slugs that administer their resource
    open_access_types: frozenset[str] = frozenset()  # principal types that stand for classes of users (anonymous)
    many_admin_threshold: int = 10  # "administers many": at least this many resources
    # Restricted content (layered_access.py): shown on the page when the connector has such a rule.
    layered: LayeredAccessRule | None = None


@dataclass
class ReviewTally:
    """Counts per principal and resource; memory grows with accounts and resources, not grants."""

    rules: ReviewRules
    user_types: frozenset[str]  # resource types with the user trait
    membership_types: frozenset[str]  # resource types with the group trait: holding them is membership
    holdings_of: Counter[ResourceRef] = field(default_factory=Counter)
    administered: defaultdict[ResourceRef, set[ResourceRef]] = field(default_factory=lambda: defaultdict(set))
    direct_to_user: Counter[ResourceRef] = field(default_factory=Counter)
    open_access: defaultdict[tuple[ResourceRef, ResourceRef], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )

    def add(self, holding: Holding) -> None:
        principal = holding.principal
        self.holdings_of[principal] += 1
        if holding.slug in self.rules.admin_slugs:
            self.administered[principal].add(holding.resource)
        if principal.type in self.rules.open_access_types:
            self.open_access[(holding.resource, principal)].add(holding.slug)
        if holding.direct and principal.type in self.user_types and holding.resource.type not in self.membership_types:
            self.direct_to_user[principal] += 1

    def inactive_with_access(self, info: dict[ResourceRef, ResourceInfo]) -> list[tuple[ResourceRef, int]]:
        """Disabled or deleted accounts that hold anything, most holdings first."""
        found = [(ref, n) for ref, n in self.holdings_of.items() if ref in info and info[ref].inactive]
        return sorted(found, key=lambda item: (-item[1], str(item[0])))

    def service_admins(self, info: dict[ResourceRef, ResourceInfo]) -> list[tuple[ResourceRef, list[ResourceRef]]]:
        """App (service) accounts that administer something, with what they administer."""
        found = [
            (ref, sorted(resources))
            for ref, resources in self.administered.items()
            if ref in info and info[ref].account_type == AccountType.SERVICE
        ]
        return sorted(found, key=lambda item: (-len(item[1]), str(item[0])))

    def many_admins(self) -> list[tuple[ResourceRef, int]]:
        """Accounts (not groups) that administer at least the threshold, directly or via groups."""
        threshold = self.rules.many_admin_threshold
        found = [
            (ref, len(rs))
            for ref, rs in self.administered.items()
            if ref.type in self.user_types and len(rs) >= threshold
        ]
        return sorted(found, key=lambda item: (-item[1], str(item[0])))

    def open_resources(self) -> list[tuple[ResourceRef, ResourceRef, list[str]]]:
        """(resource, access class, slugs) for every resource open to a class of users."""
        return sorted((res, who, sorted(slugs)) for (res, who), slugs in self.open_access.items())

    def direct_users(self) -> list[tuple[ResourceRef, int]]:
        return sorted(self.direct_to_user.items(), key=lambda item: (-item[1], str(item[0])))
