"""The Data Center view of the site's people: user keys and usernames (DC_FACTS.md §Users).

Data Center identifies a user two ways: the **user key** (a 32-hex-digit string such as
`2c95808390139223019013bdb7ec0000`, immutable) and the **username** (the login name, which an admin
can rename). The generator makes Cloud-style accounts; this directory derives both DC names from
each human account, deterministically, so tests can compute what a sync must contain
(`user_key_of`). App and customer accounts do not exist on Data Center and are left out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import SiteState, User

_NOT_USERNAME = re.compile(r"[^a-z0-9._-]+")


def user_key_of(account_id: str) -> str:
    """The DC user key the simulator gives an account (stable across runs)."""
    return hashlib.md5(account_id.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class DcUser:
    account_id: str
    user_key: str
    username: str


class Directory:
    def __init__(self, state: SiteState, spec: SiteSpec) -> None:
        self.by_account: dict[str, DcUser] = {}
        self.by_key: dict[str, DcUser] = {}
        self.by_username: dict[str, DcUser] = {}
        for account_id in state.search_all:  # generation order: stable listing order
            user = state.users[account_id]
            if user.account_type != "atlassian":
                continue
            wanted = spec.username if account_id == state.admin_account_id else _username(user)
            self._add(DcUser(account_id, user_key_of(account_id), self._unique(wanted)))

    def _add(self, entry: DcUser) -> None:
        self.by_account[entry.account_id] = entry
        self.by_key[entry.user_key] = entry
        self.by_username[entry.username] = entry

    def _unique(self, wanted: str) -> str:
        name, n = wanted, 1
        while name in self.by_username:
            n += 1
            name = f"{wanted}{n}"
        return name

    def listed(self) -> list[DcUser]:
        return list(self.by_account.values())


def _username(user: User) -> str:
    base = user.email.split("@")[0] if user.email else user.display_name
    return _NOT_USERNAME.sub(".", base.lower()).strip(".") or "user"
