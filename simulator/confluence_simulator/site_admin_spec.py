"""Switches for the site-wide data (issue 20): global permissions, the cloudId, the organization
admin API (last-active dates, product roles). Facts and guesses behind each: FACTS.md §Site and
organization, DC_FACTS.md §Global permissions.

Defaults give a site whose global permissions are readable (Data Center 9.2+ with an admin
caller) and an organization whose admin API has the bulk user search.
"""

from __future__ import annotations

from dataclasses import dataclass

# How Data Center's `/rest/api/permissions` spells a subject (only `type` is documented).
SUBJECT_FLAT = "flat"  # {"type": "user", "userKey": ...} / {"type": "group", "name": ...}
SUBJECT_NESTED = "nested"  # {"type": "user", "user": {"userKey", "username"}} / {"type": "group", "group": {"name"}}
SUBJECT_USERNAME = "username"  # {"type": "user", "username": ...}: users by login name only
SUBJECT_SHAPES = (SUBJECT_FLAT, SUBJECT_NESTED, SUBJECT_USERNAME)

# Where Data Center lists anonymous access (undocumented): only under /permissions/anonymous, or
# inline in /permissions as well.
CLASSES_SEPARATE = "separate"
CLASSES_INLINE = "inline"

# How Data Center's admin user listing spells `lastLogin` (undocumented).
LAST_LOGIN_EPOCH_MS = "epoch_ms"
LAST_LOGIN_ISO = "iso"
LAST_LOGIN_OBJECT = "object"  # {"date": iso}
LAST_LOGIN_SHAPES = (LAST_LOGIN_EPOCH_MS, LAST_LOGIN_ISO, LAST_LOGIN_OBJECT)

# How the bulk user search spells a product entry's activity and its next page (likely, not certain).
BULK_TIMESTAMP = "timestamp"  # {"key", "id", "lastActiveTimestamp": ISO}, links.next a bare cursor
BULK_DATE = "date"  # {"key", "last_active": "YYYY-MM-DD"} without an id, links.next a URL with ?cursor=
BULK_SHAPES = (BULK_TIMESTAMP, BULK_DATE)

# How a group's role assignments name the role (FACTS.md: likely, not certain).
ROLES_NESTED = "nested"  # {"resourceId", "roleAssignments": [{"role", "roleAssignmentMethods"}]}
ROLES_LIST = "list"  # {"resourceId", "roles": ["atlassian/admin", ...]}
ROLES_FLAT = "flat"  # {"resourceId", "role": "atlassian/admin"}, one item per role
ROLE_SHAPES = (ROLES_NESTED, ROLES_LIST, ROLES_FLAT)

# How an account's own role assignments (`.../users/{accountId}/role-assignments`) say how each role
# was given (jira.js `MultiDirectoryUserRoleAssignmentSchema`: likely; FACTS.md).
USER_ROLES_METHODS = "methods"  # roleAssignments[{role, roleAssignmentMethods: [direct|group_direct]}] + roles[]
USER_ROLES_NO_METHODS = "no_methods"  # roleAssignments[{role}]: every role held, no method
USER_ROLES_LIST = "list"  # roles[] only (the deprecated field): every role held, no method
USER_ROLE_SHAPES = (USER_ROLES_METHODS, USER_ROLES_NO_METHODS, USER_ROLES_LIST)


@dataclass(frozen=True)
class SiteAdminSpec:
    cloud_id: str = ""  # '' = derived from the site's seed
    # --- Data Center global permissions ------------------------------------------------------
    dc_subject_shape: str = SUBJECT_FLAT
    dc_classes: str = CLASSES_SEPARATE
    dc_wrapped: bool = False  # the listing comes as {"results": [...]} instead of a bare array
    anonymous_use: bool = True  # anonymous users may use the site
    unlicensed_use: bool = False  # unlicensed authenticated users may use the site
    # --- Data Center admin user listing (9.3+): /rest/api/admin/users/list/active ------------
    dc_last_login_shape: str = LAST_LOGIN_EPOCH_MS
    # --- organization admin API -----------------------------------------------------------------
    org_id: str = "simulated-org"
    org_api_key: str = "simulated-org-api-key"
    bulk_search: bool = True  # POST /admin/v2/orgs/{o}/directories/-/users/search exists
    bulk_absent_status: int = 404  # what the absent bulk route answers: 404, 405 or 403
    bulk_page_size: int = 50
    bulk_shape: str = BULK_TIMESTAMP
    admin_rate_limit_rps: float | None = None  # the admin API's own token bucket
    admin_rate_limit_warns: bool = True  # False: X-RateLimit-* on its 429s only (SiteSpec.rate_limit_warns)
    never_active_fraction: float = 0.15  # org members with no Confluence activity
    role_shape: str = ROLES_NESTED
    group_page_size: int = 50
    # --- roles given to accounts directly (org_user_roles.py) ------------------------------------
    user_role_shape: str = USER_ROLES_METHODS
    user_roles_status: int = 200  # 403 or 404: the per-account route refuses every account

    def __post_init__(self) -> None:
        if self.dc_subject_shape not in SUBJECT_SHAPES:
            raise ValueError(f"dc_subject_shape must be one of {SUBJECT_SHAPES}")
        if self.dc_classes not in (CLASSES_SEPARATE, CLASSES_INLINE):
            raise ValueError("dc_classes must be separate or inline")
        if self.bulk_absent_status not in (403, 404, 405):
            raise ValueError("bulk_absent_status must be 403, 404 or 405")
        if self.dc_last_login_shape not in LAST_LOGIN_SHAPES:
            raise ValueError(f"dc_last_login_shape must be one of {LAST_LOGIN_SHAPES}")
        if self.bulk_shape not in BULK_SHAPES:
            raise ValueError(f"bulk_shape must be one of {BULK_SHAPES}")
        if self.role_shape not in ROLE_SHAPES:
            raise ValueError(f"role_shape must be one of {ROLE_SHAPES}")
        if self.user_role_shape not in USER_ROLE_SHAPES:
            raise ValueError(f"user_role_shape must be one of {USER_ROLE_SHAPES}")
        if self.user_roles_status not in (200, 403, 404):
            raise ValueError("user_roles_status must be 200, 403 or 404")
        if not 0.0 <= self.never_active_fraction <= 1.0:
            raise ValueError("never_active_fraction must be within 0..1")
