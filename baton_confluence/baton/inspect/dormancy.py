"""Dormant accounts that still hold access (issue 20), for the review page.

The rule, in one place (`Dormancy.dormant`): an account that is neither disabled nor deleted
(those have their own highlight) is dormant when its last-active date (`UserTrait.last_login`)
is at least `days` days before the end of the reviewed sync, or when it has no date although
the sync recorded dates for the site (it was never active). App (service) accounts without a
date are not called dormant: apps do not sign in, so they never have one. "Now" is the sync's
end time stored in the file, not the wall clock, so a page made twice from one file agrees.

A file in which no account has a date was synced without last activity: nothing is dormant
then, and the page says the dates were not synced instead of flagging every account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from baton_confluence.baton.c1z import SyncRun, timefmt
from baton_confluence.baton.inspect.access import AccountType, ResourceInfo, ResourceRef
from baton_confluence.baton.inspect.review import ReviewTally


def sync_end(run: SyncRun | None) -> datetime | None:
    """When the sync ended, in UTC. The c1z stores local wall-clock time without a zone
    (c1z/timefmt.py), read here as the local time of the machine reading it."""
    ended = timefmt.parse(run.ended_at) if run and run.ended_at else None
    if ended is None:
        return None
    return ended.astimezone(UTC)  # a naive value is taken as local time


@dataclass(frozen=True)
class Dormancy:
    now: datetime | None  # the end of the reviewed sync (UTC)
    days: int
    synced: bool  # some account of the sync has a last-active date

    @property
    def applies(self) -> bool:
        return self.synced and self.now is not None

    def dormant(self, info: ResourceInfo) -> bool:
        if not self.applies or info.inactive:
            return False
        if info.last_active is None:
            return info.account_type != AccountType.SERVICE
        assert self.now is not None
        return self.now - info.last_active >= timedelta(days=self.days)


def dormant_accounts(
    tally: ReviewTally, infos: dict[ResourceRef, ResourceInfo], dormancy: Dormancy
) -> list[tuple[ResourceRef, int]]:
    """(account, holdings) of every dormant account holding anything: never active first, then
    the longest idle."""
    found = [
        (ref, count)
        for ref, count in tally.holdings_of.items()
        if ref.type in tally.user_types and ref in infos and dormancy.dormant(infos[ref])
    ]
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(found, key=lambda item: (infos[item[0]].last_active or oldest, str(item[0])))


def dormant_admins(
    tally: ReviewTally, dormant: list[tuple[ResourceRef, int]]
) -> list[tuple[ResourceRef, list[ResourceRef]]]:
    """The dormant accounts that administer something (the site, a space), with what they
    administer (site resources first), in the order of `dormant`."""
    site_types = tally.rules.site_types
    out = []
    for ref, _ in dormant:
        administered = tally.administered.get(ref)
        if administered:
            out.append((ref, sorted(administered, key=lambda r: (r.type not in site_types, r))))
    return out
