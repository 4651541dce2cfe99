"""`--last-activity`: each user resource carries the account's last Confluence activity.

The date goes to `UserTrait.last_login` (a date without a time is midnight UTC of that date).
An account without one gets the reason in its profile under `last_login_missing`
(`completeness.LAST_LOGIN_MISSING`), which the sync engine counts from the finished sync
(`accounts.last_login.unknown.<reason>`, next to `accounts.last_login.known`), so a resumed
sync counts exactly what a straight one does.

Without the option nothing is asked and user resources are as before. The accounts of one
listing page are asked for concurrently; the readers fetch each account at most once per sync.
"""

from __future__ import annotations

import asyncio

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.sync.completeness import LAST_LOGIN_MISSING
from baton_confluence.confluence.client import Account, LastActive
from baton_confluence.confluence.syncers.context import SyncContext


async def stamp_last_activity(ctx: SyncContext, accounts: list[Account], resources: list[pb.resource.Resource]) -> None:
    """Set each resource's last activity (resources[i] is accounts[i]'s); nothing without the option."""
    reader = ctx.last_activity
    if reader is None or not accounts:
        return
    found = await asyncio.gather(*(reader.last_active(account) for account in accounts))
    for resource, last in zip(resources, found, strict=True):
        stamp(resource, last)


def stamp(resource: pb.resource.Resource, last: LastActive) -> None:
    if last.at is None:
        resource.profile.update({LAST_LOGIN_MISSING: str(last.missing or "unknown")})
        return
    for packed in resource.annotations:
        if packed.Is(pb.trait.UserTrait.DESCRIPTOR):
            trait = pb.trait.UserTrait()
            packed.Unpack(trait)
            trait.last_login.FromDatetime(last.at)
            packed.CopyFrom(ann.pack(trait))
            return
