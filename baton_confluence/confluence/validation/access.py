"""Validate: can the account read what a sync reads? One `limit=1` request per listing.

Spaces are the one listing a sync cannot do without (everything else hangs off them or off the
users), so failing to list them is a hard failure; any other refusal is a finding: the sync would
stop or come back incomplete at that listing, and the finding says which permission is missing.
"""

from __future__ import annotations

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import SiteProbes, Space
from baton_confluence.confluence.validation.findings import Finding, failure, fix_for, http_status_of
from baton_confluence.confluence.validation.fixes import Fixes

SPACES_FIX = "give the account the 'Can use' global permission and view permission on the spaces to sync"


async def first_space(api: SiteProbes) -> Space | None:
    """The first visible space, or None when the account sees none; raises when it may not list them."""
    try:
        spaces = await api.probe_spaces()
    except ConnectorError as err:
        raise failure(err.code, f"cannot list spaces ({http_status_of(err)})", fix_for(err, SPACES_FIX)) from err
    return spaces[0] if spaces else None


async def check_groups(api: SiteProbes, fixes: Fixes) -> list[Finding]:
    """Groups, and the members of the first group (the user listing and member grants need both)."""
    try:
        groups = await api.probe_groups()
    except ConnectorError as err:
        return [Finding(f"cannot list groups ({http_status_of(err)})", fix_for(err, fixes.admin))]
    if not groups:
        return []
    group = groups[0]
    try:
        await api.probe_group_members(group.id)
    except ConnectorError as err:
        problem = f"cannot list the members of group {group.name or group.id} ({http_status_of(err)})"
        return [Finding(problem, fix_for(err, fixes.admin))]
    return []


async def check_users(api: SiteProbes, fixes: Fixes) -> list[Finding]:
    try:
        await api.probe_users()
    except ConnectorError as err:
        return [Finding(f"cannot list users ({http_status_of(err)})", fix_for(err, fixes.admin))]
    return []


async def check_space_permissions(api: SiteProbes, space: Space | None, fixes: Fixes) -> list[Finding]:
    unavailable = await api.permissions_unavailable()
    if unavailable:
        # No API to read them with (Data Center before 9.1 with the remote API off): a sync would
        # fail at the first space, so Validate fails now, in one line, with the fix.
        raise failure(grpc.StatusCode.FAILED_PRECONDITION, unavailable, fixes.permissions_api)
    if space is None:
        return []
    try:
        await api.probe_space_permissions(space)
    except ConnectorError as err:
        name = space.key or space.id
        problem = f"cannot read the permissions of space {name} ({http_status_of(err)})"
        return [Finding(problem, fix_for(err, fixes.space_admin))]
    return []
