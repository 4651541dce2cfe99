"""Capability Protocol: when each account last used Confluence (opt-in, `--last-activity`).

Implemented by the Cloud organization admin API reader (client/org_last_activity.py) and the
Data Center admin user listing (datacenter/last_activity.py). The answer is a `LastActive`: an
instant, or no instant and the reason why, so the completeness report can count accounts without
a date by reason (docs/site-and-activity.md). Each account is asked for at most once per sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Protocol, runtime_checkable

from baton_confluence.confluence.client.records import Account


class NoDate(StrEnum):
    """Why an account has no last-active date (the report's `accounts.last_login.unknown.<reason>`)."""

    NEVER_ACTIVE = "never_active"  # known, but never used Confluence (on this site)
    APP_ACCOUNT = "app_account"  # an app's bot account: not in the organization's directory
    UNKNOWN_TO_ORG = "unknown_to_org"  # the org admin API does not know it (another org's guest, deleted)
    NOT_LICENSED = "not_licensed"  # Data Center: the admin listing covers licensed users only
    ENDPOINT_ABSENT = "endpoint_absent"  # Data Center before 9.3: no admin user listing
    NOT_PERMITTED = "not_permitted"  # the caller may not read it


@dataclass(frozen=True, slots=True)
class LastActive:
    at: datetime | None
    missing: NoDate | None = None  # set exactly when `at` is None

    @classmethod
    def on_day(cls, day: date) -> LastActive:
        """A date without a time means midnight UTC of that date (docs/site-and-activity.md)."""
        return cls(datetime.combine(day, time(0, 0), tzinfo=UTC))

    @classmethod
    def none(cls, why: NoDate) -> LastActive:
        return cls(None, why)


@runtime_checkable
class LastActivityReader(Protocol):
    async def last_active(self, account: Account) -> LastActive: ...

    def forget_last_activity(self) -> None:
        """Drop what the sync learnt (called when a sync ends; the next one reads afresh)."""
        ...


def parse_instant(value: object) -> datetime | None:
    """An instant from a date (`2026-11-30`, midnight UTC), an ISO timestamp, or epoch
    milliseconds; None for anything else. Naive timestamps are taken as UTC."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC) if value > 0 else None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return parse_instant(int(text))
    try:
        if len(text) == 10:
            return LastActive.on_day(date.fromisoformat(text)).at
        found = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)
