"""Capability Protocols for the site itself: who it is, and its global (site-wide) permissions.

A product that can answer implements the Protocol; callers check `isinstance(api, ...)` and
treat a product without it as "cannot be known", never as an error (docs/site-and-activity.md).

- `SiteIdentityReader`: the site's stable id and display name (Cloud: the cloudId from
  `/_edge/tenant_info`, one request per sync; Data Center: the configured base URL, no request).
- `GlobalPermissionReader`: the site's global permissions (Data Center's Global Permissions REST
  group; Cloud's Confluence product roles through the organization admin API). A listing the
  site cannot give comes back with `unavailable` set to the reason, so a sync goes on and the
  completeness report can say why the site holds no grants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class SiteIdentity:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class GlobalPermission:
    """One global permission held by one principal; `operation`/`target` as Confluence names them
    (`administer`/`application`...), the principal as `principals.principal_of` reads it."""

    operation: str
    target: str
    principal_type: str  # user | group | anonymous | unlicensed | ...
    principal_id: str


@dataclass(frozen=True, slots=True)
class GlobalPermissionListing:
    items: tuple[GlobalPermission, ...] = ()
    # Why the listing could not be read ('' when it was): a short snake_case reason for the
    # completeness report, and a sentence for the log.
    unavailable: str = ""
    detail: str = ""
    # Read, but known to leave something out: a snake_case reason the report counts.
    partial: str = ""
    # Counters for the completeness report (name, count): what was read around but not failed on.
    counts: tuple[tuple[str, int], ...] = ()


@runtime_checkable
class SiteIdentityReader(Protocol):
    async def site_identity(self) -> SiteIdentity:
        """The site's id and name; asked once per sync (implementations cache it)."""
        ...


@runtime_checkable
class GlobalPermissionReader(Protocol):
    async def global_permissions(self) -> GlobalPermissionListing:
        """Every global permission the site reports, or the reason it cannot."""
        ...
