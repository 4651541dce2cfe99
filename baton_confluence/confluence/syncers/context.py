"""`SyncContext`: what every syncer shares, handed to each at construction."""

from __future__ import annotations

from dataclasses import dataclass, field

from baton_confluence.confluence.client import ConfluenceAPI, LastActivityReader, SpaceRolesAPI, require_space_roles
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.permissions import PermissionCatalog
from baton_confluence.confluence.sync_data import SyncData


@dataclass
class SyncContext:
    api: ConfluenceAPI
    options: ConfluenceOptions
    catalog: PermissionCatalog
    data: SyncData = field(default_factory=SyncData)  # the per-sync data and its rules (sync_data.py)
    # --last-activity: where each account's last activity comes from (None: not asked for).
    last_activity: LastActivityReader | None = None

    @property
    def space_roles(self) -> SpaceRolesAPI:
        """The site's space roles. Only the role syncers and role lookups ask, and the connector
        registers those where the site has roles; elsewhere this is the rule's one error."""
        return require_space_roles(self.api)

    def reset(self) -> None:
        """Forget everything learnt during a sync (called from `Connector.cleanup`)."""
        self.data.reset()
        if self.last_activity is not None:
            self.last_activity.forget_last_activity()
