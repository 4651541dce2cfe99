"""`AccountRegistry`: which account ids this sync emitted as users, so grants never dangle.

A space permission or role assignment names its principal by account id only. Upstream emitted
such grants for every id, including app (bot) accounts it never emitted as users, leaving grants
whose principal does not exist. Here a user principal is granted only when the user listing
emitted it. That needs the listing to have run to completion in this process: after a restart
the registry is empty, and then only ids known to be non-human are dropped (the upstream
behaviour for the rest), which `complete` tells apart.
"""

from __future__ import annotations

from baton_confluence.confluence.syncers.records import UserRecord, is_human


class AccountRegistry:
    def __init__(self) -> None:
        self.humans: set[str] = set()
        self.others: set[str] = set()  # app and customer accounts seen in listings
        self.complete = False  # the user listing ran start to end against this registry

    def admit(self, user: UserRecord) -> bool:
        """Record a listed account; True when it is a human not emitted before."""
        if not is_human(user):
            self.others.add(user["id"])
            return False
        if user["id"] in self.humans:
            return False
        self.humans.add(user["id"])
        return True

    def grantable(self, account_id: str) -> bool:
        """May a grant name this account as its user principal?"""
        if account_id in self.humans:
            return True
        if self.complete:
            return False
        return account_id not in self.others

    def clear(self) -> None:
        self.humans.clear()
        self.others.clear()
        self.complete = False
