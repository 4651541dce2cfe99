"""`SiteProbes`: Validate's one-request probes, implemented by each product its own way.

Cloud's are in client/probes.py, Data Center's in datacenter/probes.py; the rules (`limit=1`,
never a URL the sync fetches) are in client/probes.py. The probes of the role listings belong to
the space-roles capability (capability_space_roles.py), which Data Center lacks.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from baton_confluence.confluence.client.contract import ConfluenceAPI
from baton_confluence.confluence.client.records import Account, Group, SignedIn, Space


@runtime_checkable
class SiteProbes(Protocol):
    async def probe_current_user(self) -> SignedIn:
        """The calling account (no account id when the site answers as the anonymous user)."""
        ...

    async def probe_spaces(self) -> list[Space]: ...

    async def probe_groups(self) -> list[Group]: ...

    async def probe_group_members(self, group_id: str) -> list[Account]: ...

    async def probe_users(self) -> list[Account]: ...

    async def probe_space_permissions(self, space: Space) -> None: ...

    async def probe_admin(self, current_user: SignedIn) -> bool | None:
        """Whether the account is a Confluence administrator; None when the site cannot say."""
        ...

    async def permissions_unavailable(self) -> str:
        """Why space permissions cannot be synced on this site ('' when they can)."""
        ...


def probes_of(api: ConfluenceAPI) -> SiteProbes | None:
    """The site's Validate probes, or None for a client that has none."""
    return api if isinstance(api, SiteProbes) else None
