"""Which resource a permission or role-assignment principal is: one rule for both listings.

- `user` / `USER`: the account (`user:<accountId>`), whatever its account type;
- `group` / `GROUP`: the group (`group:<id>`);
- `role` (v2 space permissions): a space role (`space_role:<roleId>`) when the id is one of the
  site's roles, otherwise the class of users it names (`access_class:<id>`);
- anything else (`ACCESS_CLASS`, the anonymous principal, a type Atlassian adds later): an
  access class (`access_class:<id>`, or the type itself when the site sends no id).

Nothing is dropped for its principal: a principal no listing returned is looked up by the sync
engine, and one the site no longer knows is kept as deleted (docs/access-classes.md).
"""

from __future__ import annotations

from baton_confluence.confluence.resource_types import ACCESS_CLASS, GROUP, SPACE_ROLE, USER

ROLE = "role"


def principal_of(principal_type: str, principal_id: str, role_ids: frozenset[str]) -> tuple[str, str] | None:
    """(resource type, resource id) of a principal as the API names it; None when it names nothing."""
    kind = principal_type.strip().lower()
    if kind in (USER, GROUP):
        return (kind, principal_id) if principal_id else None
    if kind == ROLE and principal_id in role_ids:
        return SPACE_ROLE, principal_id
    if principal_id or kind:
        return ACCESS_CLASS, principal_id or kind
    return None


def needs_role_ids(principal_type: str) -> bool:
    """Whether telling this principal apart needs the site's role catalogue."""
    return principal_type.strip().lower() == ROLE
