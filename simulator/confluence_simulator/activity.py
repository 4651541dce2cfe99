"""When each account last used Confluence, as the simulated organization and site know it (issue 20).

A pure function of the spec's seed and the account id, so tests compute what a sync must carry
from the state alone:

- **Not in the organization's directory**: app accounts (bots belong to no organization) and
  external collaborators (guests of another organization). The org admin API answers 404 for
  them and leaves them out of the bulk search.
- **Never active**: a `never_active_fraction` of the remaining accounts have no Confluence entry
  (the per-account route answers an empty `product_access`).
- Everyone else was last active on a day up to 400 days before `REFERENCE_DAY`, at a time of day
  the bulk route reports (`lastActiveTimestamp`) and the per-account route rounds to the date
  (`last_active`). Each member also has an entry for another Confluence site of the organization
  (a later date) and a Jira entry, so a client must pick this site's Confluence entry.
- Data Center: licensed (active, human) users appear in the admin listing with `lastLogin`
  (the same instant), or without it when never active; others are not listed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import User

REFERENCE_DAY = date(2026, 11, 30)
OTHER_SITE_CLOUD_ID = "00000000-0000-4000-8000-0000000000ff"


@dataclass(frozen=True)
class Activity:
    in_org: bool
    at: datetime | None  # None: never active on this site

    @property
    def day(self) -> date | None:
        return self.at.date() if self.at is not None else None


def activity_of(spec: SiteSpec, user: User) -> Activity:
    if user.account_type == "app" or user.external_collaborator:
        return Activity(False, None)
    digest = hashlib.sha256(f"activity:{spec.seed}:{user.account_id}".encode()).digest()
    if digest[0] / 256 < spec.site_admin.never_active_fraction:
        return Activity(True, None)
    days = int.from_bytes(digest[1:3], "big") % 400
    seconds = int.from_bytes(digest[3:6], "big") % 86_400
    day = REFERENCE_DAY - timedelta(days=days)
    return Activity(True, datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds))


def iso_timestamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
