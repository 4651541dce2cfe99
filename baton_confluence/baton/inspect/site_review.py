"""The site's global permissions on the review page (issue 20): who holds each one, granted
directly or through which group, and every account that can administer the site and how.

Which resource types stand for the site is the caller's knowledge (`ReviewRules.site_types`);
everything else comes from the grants. Memory is bounded: the lists are cut at `limit` entries
while the totals keep counting (a site may grant `use-application` to every account directly).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from baton_confluence.baton.inspect.access import Holding, ResourceRef

SITE_LIST_LIMIT = 1_000


@dataclass
class SitePermission:
    """Who holds one site entitlement: the principals granted it directly (users, groups, classes
    of users), and per group how many accounts hold it through that group."""

    accounts: int = 0  # accounts holding it in any way
    direct: list[ResourceRef] = field(default_factory=list)
    direct_total: int = 0
    via_members: Counter[ResourceRef] = field(default_factory=Counter)


@dataclass
class SiteTally:
    user_types: frozenset[str]
    limit: int = SITE_LIST_LIMIT
    permissions: dict[str, SitePermission] = field(default_factory=dict)  # by entitlement id
    admins: list[Holding] = field(default_factory=list)  # accounts' holdings of administrative site entitlements
    admins_total: int = 0

    def add(self, holding: Holding, *, administers: bool) -> None:
        permission = self.permissions.setdefault(holding.entitlement_id, SitePermission())
        account = holding.principal.type in self.user_types
        if account:
            permission.accounts += 1
        if holding.direct:
            permission.direct_total += 1
            if len(permission.direct) < self.limit:
                permission.direct.append(holding.principal)
        for via in holding.via:
            permission.via_members[via.resource] += 1
        if administers and account:
            self.admins_total += 1
            if len(self.admins) < self.limit:
                self.admins.append(holding)

    def permission(self, entitlement_id: str) -> SitePermission:
        return self.permissions.get(entitlement_id) or SitePermission()
