"""`ConfluenceAPI`: the one contract the syncers, provisioning and Validate call, for both products.

`ConfluenceCloudAPI` (client/api.py) and `ConfluenceDataCenterAPI` (datacenter/api.py) implement
it side by side; neither inherits from the other, so a Cloud path can never reach a Data Center
site by way of an inherited method. Both answer in the records of client/records.py.

What differs between the products and matters to a caller is a capability attribute, read before
the call, never learnt from an error:

- `deployment`: which product the site is (Validate words its fixes per product);
- `supports_space_roles`: space roles and role assignments exist (Cloud only). Where they do
  not, the role methods raise `space_roles_unavailable()`, the one error of that rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

from baton_confluence.confluence.client.pagination import ListingPage
from baton_confluence.confluence.client.records import (
    Account,
    Group,
    RoleAssignment,
    SignedIn,
    Space,
    SpacePermission,
    SpaceRole,
)
from baton_confluence.confluence.client.transport import ConfluenceHTTP
from baton_confluence.confluence.settings import SettingsError


class Deployment(StrEnum):
    CLOUD = "cloud"
    DATACENTER = "datacenter"


SPACE_ROLES_CLOUD_ONLY = (
    "--use-rbac needs Confluence Cloud space roles; Confluence Data Center has granular space permissions only: "
    "drop --use-rbac"
)


def space_roles_unavailable() -> SettingsError:
    """The error of asking a site without space roles (Data Center) for them, wherever it is asked."""
    return SettingsError(SPACE_ROLES_CLOUD_ONLY)


class ConfluenceAPI(Protocol):
    http: ConfluenceHTTP

    @property
    def deployment(self) -> Deployment: ...

    @property
    def supports_space_roles(self) -> bool: ...

    # --- users and groups -----------------------------------------------------------------------
    async def get_user(self, account_id: str) -> Account | None:
        """One account by id (any type); None when the site answers 404."""
        ...

    async def get_group(self, group_id: str) -> Group | None: ...

    async def search_users(self, token: str, *, include_guests: bool = True) -> ListingPage[Account]: ...

    async def list_groups(self, token: str) -> ListingPage[Group]: ...

    async def group_members(self, group_id: str, token: str) -> ListingPage[Account]: ...

    async def is_group_member(self, group_id: str, account_id: str) -> bool:
        """Whether the account is in the group now, read live from the site."""
        ...

    async def add_group_member(self, *, group_id: str, account_id: str) -> None: ...

    async def remove_group_member(self, *, group_id: str, account_id: str) -> None: ...

    # --- spaces ---------------------------------------------------------------------------------
    async def list_spaces(
        self,
        token: str,
        *,
        type: str | None = None,
        status: str | None = None,
        keys: Sequence[str] | None = None,
    ) -> ListingPage[Space]: ...

    async def get_space(self, space_id: str) -> Space | None:
        """One space (NOT_FOUND raised when the site answers 404); None for an answer without an id."""
        ...

    async def space_permissions(self, space_id: str, token: str) -> ListingPage[SpacePermission]: ...

    async def add_space_permission(
        self, space_key: str, *, subject_type: str, identifier: str, operation_key: str, target: str
    ) -> None: ...

    async def remove_space_permission(self, space_key: str, *, permission_id: str) -> None: ...

    # --- space roles: only where `supports_space_roles` -----------------------------------------
    async def space_role_mode(self) -> str: ...

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

    # --- Validate's one-request probes (client/probes.py has the rules) -------------------------
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

    async def probe_space_roles(self) -> None: ...

    async def probe_role_assignments(self, space_id: str) -> None: ...


def require_space_roles(api: ConfluenceAPI) -> None:
    """Raise the one error of the rule unless the site has space roles."""
    if not api.supports_space_roles:
        raise space_roles_unavailable()
