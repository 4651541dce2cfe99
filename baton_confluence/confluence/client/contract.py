"""`ConfluenceAPI`: the core contract the syncers, provisioning and Validate call, for both products.

`ConfluenceCloudAPI` (client/api.py) and `ConfluenceDataCenterAPI` (datacenter/api.py) implement
it side by side; neither inherits from the other, so a Cloud path can never reach a Data Center
site by way of an inherited method. Both answer in the records of client/records.py.

The core is what every product has: users, groups, spaces and space permissions (read and
provision), the `deployment` (Validate words its fixes per product), and what a caller needs from
the transport: `requests_sent()` and `rate_limited_by_reason()` for the sync summary, and `aclose()`. The HTTP client itself is
not part of the contract.

Capabilities: one `Protocol` per optional surface
---------------------------------------------------
What only some products (or some sites) have is a capability: a `@runtime_checkable` `Protocol`
in its own module `client/capability_<name>.py`, which a product implements by having the methods
and lacks by not having them. There are no raising stubs and no flags: a caller asks
`isinstance(api, TheCapability)` once, before any request, and either narrows to it or skips
(or, where the user asked for it, raises the capability's one error, which lives beside the
Protocol in a `require_<name>(api)` accessor that returns the narrowed object). Today:

- `capability_space_roles.SpaceRolesAPI`: space roles, role assignments and their probes
  (Cloud only); `require_space_roles` holds the one "no space roles on Data Center" error;
- `capability_probes.SiteProbes`: Validate's one-request probes (both products, each its own).

To add one (global permissions, last activity, restricted content, gateway auth, ...): a new
module with the Protocol (methods answer in typed records, never raw JSON), implemented on the
product class(es) preferably by delegating to a module of its own, and callers that check it with
`isinstance`. `runtime_checkable` only checks that the names exist, so keep each Protocol's names
distinct from the core's and from other capabilities', declare methods only (a data member makes
`issubclass` refuse the Protocol), and check once per sync, not per item.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

from baton_confluence.confluence.client.pagination import ListingPage
from baton_confluence.confluence.client.records import Account, Group, Space, SpacePermission


class Deployment(StrEnum):
    CLOUD = "cloud"
    DATACENTER = "datacenter"


class ConfluenceAPI(Protocol):
    @property
    def deployment(self) -> Deployment: ...

    # --- the transport, as far as callers need it -------------------------------------------
    def requests_sent(self) -> int:
        """How many requests the client has sent to the site (for the sync summary)."""
        ...

    def rate_limited_by_reason(self) -> dict[str, int]:
        """The site's 429 answers by their RateLimit-Reason ('' when none was sent), for the summary."""
        ...

    async def aclose(self) -> None:
        """Close the HTTP client (only by whoever built it)."""
        ...

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
