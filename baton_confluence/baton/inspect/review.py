"""Review highlights: the holdings an access review looks at first, tallied in one pass.

What counts as open access depends on the connector, so the caller says (`ReviewRules`);
accounts, their status and type come from the Baton user trait. Administration is one rule,
`ReviewRules.administers`: the slugs the caller names, and any `administer-*` slug (Baton's
verb-noun slugs: `administer-space` on a space, `administer-application` or `administer-system`
on the site).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from baton_confluence.baton.inspect.access import AccountType, Holding, ResourceInfo, ResourceRef
from baton_confluence.baton.inspect.layered_access import LayeredAccessRule
from baton_confluence.baton.inspect.site_review import SiteTally

# Every slug with this prefix administers its resource, whatever the connector (docs/inspect.md).
ADMINISTRATIVE_PREFIX = "administer-"


@dataclass(frozen=True)
class ReviewRules:
    admin_slugs: frozenset[str] = frozenset()  # entitlement slugs that administer their resource
    open_access_types: frozenset[str] = frozenset()  # principal types that stand for classes of users (anonymous)
    many_admin_threshold: int = 10  # "administers many": at least this many resources
    # The site and its dormant accounts (issue 20)
    site_types: frozenset[str] = frozenset()  # resource types that stand for the whole site (global permissions)
    dormant_days: int = 90  # no activity for this many days before the sync ended: dormant
    activity_option: str = ""  # the connector option that syncs last-activity dates, named when a file has none

    def administers(self, slug: str) -> bool:
        """The one rule for "this entitlement administers its resource"."""
        return slug in self.admin_slugs or slug.startswith(ADMINISTRATIVE_PREFIX)

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
    site: SiteTally = field(init=False)

    def __post_init__(self) -> None:
        self.site = SiteTally(self.user_types)

    def add(self, holding: Holding) -> None:
        principal = holding.principal
        self.holdings_of[principal] += 1
        administers = self.rules.administers(holding.slug)
        if administers:
            self.administered[principal].add(holding.resource)
        if holding.resource.type in self.rules.site_types:
            self.site.add(holding, administers=administers)
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
