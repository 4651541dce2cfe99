"""`ProvisioningContext`: what a provisioner mixin reads from the syncer it is mixed into.

The syncers' `SyncContext` satisfies it; provisioning names only this Protocol, so it never imports
the syncers package (which imports the provisioners: one direction, no cycle).
"""

from __future__ import annotations

from typing import Protocol

from baton_confluence.confluence.client import ConfluenceAPI, SpaceRolesAPI
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.permissions import PermissionCatalog


class ProvisioningContext(Protocol):
    @property
    def api(self) -> ConfluenceAPI: ...

    @property
    def options(self) -> ConfluenceOptions: ...

    @property
    def catalog(self) -> PermissionCatalog: ...

    @property
    def space_roles(self) -> SpaceRolesAPI:
        """The site's space roles; the one error of the rule where it has none."""
        ...
