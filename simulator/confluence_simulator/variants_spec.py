"""Data variants: behaviours Atlassian's documentation allows that a default site does not show.

Each field is a switch a test turns on to prove the connector copes with one documented (or
plausible) shape of data. Defaults switch everything off: a site built with the defaults holds
the same accounts, groups, spaces, permissions and roles as one built before these switches
existed, because the variant data comes from its own random stream (see `variants.py`), never
from the stream the base generator draws from. The one served difference is the default
`role_name_field` ("both"): role objects carry `displayName` next to `name`.
Facts behind each switch: FACTS.md §Data variants.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLE_NAME_BOTH = "both"
ROLE_NAME_DISPLAY_NAME = "displayName"
ROLE_NAME_NAME = "name"
ROLE_NAME_FIELDS = (ROLE_NAME_BOTH, ROLE_NAME_DISPLAY_NAME, ROLE_NAME_NAME)


@dataclass(frozen=True)
class DataVariants:
    # email, displayName and publicName are JSON null (not absent) for a fraction of the users in
    # every user object served; v2 spaces carry "description": null and "icon": null.
    null_optional_fields: bool = False
    # Extra licensed humans in no group: half hold direct space permissions, half hold nothing.
    ungrouped_users: int = 0
    # Extra external collaborators in no group: half hold read/space in one space.
    ungrouped_guests: int = 0
    # App accounts hold space permissions (administer/space in one space at least) and belong to
    # a group of humans as well as to the app group.
    app_permissions: bool = False
    # Deleted accounts that remain user principals of space permissions (and of role assignments
    # when RBAC is on): no listing returns them and the user lookup answers 404.
    missing_principals: int = 0
    # Which name field v2 space-role objects carry: "both", only "displayName", only "name".
    role_name_field: str = ROLE_NAME_BOTH

    def __post_init__(self) -> None:
        for name in ("ungrouped_users", "ungrouped_guests", "missing_principals"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        if self.role_name_field not in ROLE_NAME_FIELDS:
            raise ValueError(f"role_name_field must be one of {ROLE_NAME_FIELDS}, got {self.role_name_field!r}")
