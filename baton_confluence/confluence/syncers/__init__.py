"""The resource syncers, one module per resource type, sharing a `SyncContext`; the same syncers
serve Cloud and Data Center (the space-role ones run only where the site has space roles)."""

from baton_confluence.confluence.syncers.access_classes import AccessClassSyncer
from baton_confluence.confluence.syncers.context import SyncContext
from baton_confluence.confluence.syncers.groups import GroupSyncer
from baton_confluence.confluence.syncers.restricted_content import RestrictedContentSyncer
from baton_confluence.confluence.syncers.site import SiteSources, SiteSyncer
from baton_confluence.confluence.syncers.space_role_assignments import SpaceRoleAssignmentSyncer
from baton_confluence.confluence.syncers.space_roles import SpaceRoleSyncer
from baton_confluence.confluence.syncers.spaces import SpaceSyncer
from baton_confluence.confluence.syncers.users import UserSyncer

__all__ = [
    "AccessClassSyncer",
    "GroupSyncer",
    "RestrictedContentSyncer",
    "SiteSources",
    "SiteSyncer",
    "SpaceRoleAssignmentSyncer",
    "SpaceRoleSyncer",
    "SpaceSyncer",
    "SyncContext",
    "UserSyncer",
]
