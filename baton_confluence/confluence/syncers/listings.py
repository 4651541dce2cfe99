"""Listings more than one syncer reads, fetched once per sync and shared by named readers.

The readers of each listing are declared in sync_data.py (`SHARED_LISTINGS`), with the rule that
frees a page once they all have read it:

- group list pages: the groups syncer and the user listing (which walks groups for members);
- group member pages: the user listing and the group's grants;
- space-role pages: the space-roles syncer and the role catalogue used to name role bindings.

Every reader of a page chain starts from the first page and follows the API's next tokens, so
they ask for the same keys. A reader that restarted mid-chain only costs an extra fetch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import Account, Group, ListingPage, SpaceRole, space_roles_of
from baton_confluence.confluence.sync_data import GROUP_MEMBERS, GROUPS, SPACE_ROLES, Reader, SharedListing
from baton_confluence.confluence.syncers.context import SyncContext

R = TypeVar("R")


async def group_page(ctx: SyncContext, token: str, reader: Reader) -> ListingPage[Group]:
    """One page of groups."""
    return await _shared_page(ctx, GROUPS, reader, (token,), lambda: ctx.api.list_groups(token))


async def member_page(ctx: SyncContext, group_id: str, token: str, reader: Reader) -> ListingPage[Account]:
    """One page of a group's members (every account type)."""
    return await _shared_page(
        ctx, GROUP_MEMBERS, reader, (group_id, token), lambda: ctx.api.group_members(group_id, token)
    )


async def role_page(ctx: SyncContext, token: str, reader: Reader) -> ListingPage[SpaceRole]:
    """One page of the site's space roles."""
    return await _shared_page(ctx, SPACE_ROLES, reader, (token,), lambda: ctx.space_roles.list_space_roles(token))


async def _shared_page(
    ctx: SyncContext,
    listing: SharedListing,
    reader: Reader,
    page: tuple[str, ...],
    fetch: Callable[[], Awaitable[ListingPage[R]]],
) -> ListingPage[R]:
    """One API page for `reader`. Only what the readers use is kept: the records and the next
    token (a reader that needs the rate-limit details reads the API itself)."""

    async def load() -> ListingPage[R]:
        fetched = await fetch()
        return ListingPage(fetched.items, fetched.next_token)

    return await ctx.data.shared_page(listing, reader, page, load)


async def role_catalog(ctx: SyncContext) -> list[SpaceRole]:
    """Every space role of the site, in API order; built once per sync, kept until cleanup.

    This walks the role pages in one call, which listings must not do; it is a lookup table, not
    a listing, and a site has a handful of roles (4 defaults plus a few custom ones, one page).
    """

    async def load() -> list[SpaceRole]:
        roles: list[SpaceRole] = []
        token = ""
        while True:
            page = await role_page(ctx, token, Reader.ROLE_CATALOG)
            roles.extend(page.items)
            if not page.next_token:
                return roles
            token = page.next_token

    return await ctx.data.role_catalog(load)


async def known_role_ids(ctx: SyncContext) -> frozenset[str]:
    """The ids of the site's space roles; empty where the site has none (roles off: 404; Data
    Center: no roles at all). Tells a `role` permission principal that is a space role apart
    from one that names a class of users."""
    if space_roles_of(ctx.api) is None:
        return frozenset()
    try:
        return frozenset(role.id for role in await role_catalog(ctx))
    except ConnectorError as err:
        if err.code != grpc.StatusCode.NOT_FOUND:
            raise
        return frozenset()


def remember_space_name(ctx: SyncContext, space_id: str, name: str) -> None:
    """Keep a listed space's name for its role bindings' display names (read once)."""
    ctx.data.keep_space_name(space_id, name)


def forget_space_name(ctx: SyncContext, space_id: str) -> None:
    ctx.data.forget_space_name(space_id)


async def space_name(ctx: SyncContext, space_id: str) -> str:
    """A space's name: from the space listing, else (after a restart) from the API."""
    name = ctx.data.take_space_name(space_id)
    if name is not None:
        return name
    space = await ctx.api.get_space(space_id)
    return (space.name if space is not None else "") or space_id


__all__ = [
    "forget_space_name",
    "group_page",
    "known_role_ids",
    "member_page",
    "remember_space_name",
    "role_catalog",
    "role_page",
    "space_name",
]
