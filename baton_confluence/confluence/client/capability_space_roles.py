"""`SpaceRolesAPI`: space roles and role assignments, a capability of Confluence Cloud only.

Data Center has granular space permissions and no roles, so its adapter simply lacks these
methods (client/contract.py explains the pattern). The rule "no space roles here" lives in one
place, `require_space_roles`, with one error, raised before any request wherever roles are asked
for (`--use-rbac` at construction and in Validate).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from baton_confluence.confluence.client.contract import ConfluenceAPI
from baton_confluence.confluence.client.pagination import ListingPage
from baton_confluence.confluence.client.records import RoleAssignment, SpaceRole
from baton_confluence.confluence.settings import SettingsError

SPACE_ROLES_CLOUD_ONLY = (
    "--use-rbac needs Confluence Cloud space roles; Confluence Data Center has granular space permissions only: "
    "drop --use-rbac"
)


@runtime_checkable
class SpaceRolesAPI(Protocol):
    async def space_role_mode(self) -> str:
        """PRE_ROLES, ROLES_TRANSITION or ROLES ('' when the site does not say)."""
        ...

    async def list_space_roles(
        self, token: str, *, space_id: str | None = None, role_type: str | None = None
    ) -> ListingPage[SpaceRole]: ...

    async def space_role_assignments(
        self,
        space_id: str,
        token: str,
        *,
        role_id: str | None = None,
        principal_id: str | None = None,
        principal_type: str | None = None,
    ) -> ListingPage[RoleAssignment]: ...

    async def set_role_assignments(
        self, space_id: str, assignments: Sequence[RoleAssignment]
    ) -> list[RoleAssignment]: ...

    # Validate's one-request probes of the two role listings (client/probes.py has the rules).
    async def probe_space_roles(self) -> None: ...

    async def probe_role_assignments(self, space_id: str) -> None: ...


def space_roles_of(api: ConfluenceAPI) -> SpaceRolesAPI | None:
    """The site's space roles, or None where the product has none (Data Center)."""
    return api if isinstance(api, SpaceRolesAPI) else None


def require_space_roles(api: ConfluenceAPI) -> SpaceRolesAPI:
    """The site's space roles; the one error of the rule (a usage error) where it has none."""
    roles = space_roles_of(api)
    if roles is None:
        raise SettingsError(SPACE_ROLES_CLOUD_ONLY)
    return roles
