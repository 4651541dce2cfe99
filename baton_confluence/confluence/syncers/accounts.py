"""`ListedAccounts`: which account ids this process already emitted as users in this sync.

Search and every group's member pages return the same accounts many times over; emitting each
once keeps the pages small. It is only an optimisation: the store upserts resources by id, and a
user record is a function of the account alone, so after a restart (an empty set) an account that
is emitted again is written with the same content. Nothing is ever filtered by this set: grants
name every principal, and the sync engine looks up principals that no listing returned.
"""

from __future__ import annotations

from baton_confluence.confluence.client.records import Account


class ListedAccounts:
    def __init__(self) -> None:
        self.ids: set[str] = set()

    def first_sighting(self, user: Account) -> bool:
        """Record a listed account; True when this process has not emitted it before."""
        if user.id in self.ids:
            return False
        self.ids.add(user.id)
        return True

    def clear(self) -> None:
        self.ids.clear()
