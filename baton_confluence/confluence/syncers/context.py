"""`SyncContext`: what every syncer shares, handed to each at construction."""

from __future__ import annotations

from dataclasses import dataclass, field

from baton_confluence.confluence.cache import SyncCache
from baton_confluence.confluence.client import ConfluenceAPI
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.permissions import PermissionCatalog
from baton_confluence.confluence.syncers.accounts import ListedAccounts


@dataclass
class SyncContext:
    api: ConfluenceAPI
    options: ConfluenceOptions
    catalog: PermissionCatalog
    cache: SyncCache = field(default_factory=SyncCache)
    accounts: ListedAccounts = field(default_factory=ListedAccounts)

    def reset(self) -> None:
        """Forget everything learnt during a sync (called from `Connector.cleanup`)."""
        self.cache.clear()
        self.accounts.clear()
