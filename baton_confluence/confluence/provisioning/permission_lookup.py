"""Finding one subject's permission in a space, straight from the API.

`GET /wiki/api/v2/spaces/{id}/permissions` has no subject or operation filter, so the pages are
read until the permission shows up and no further (upstream read them all, then fetched the
space again, for every revoke). When it is absent the whole list has been read, which also tells
whether the subject holds read-space: Confluence refuses any other permission without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from baton_confluence.confluence.client import ConfluenceAPI, SpacePermission
from baton_confluence.confluence.permissions import Permission
from baton_confluence.confluence.provisioning.target import Principal

READ_SPACE = Permission("read", "space")


@dataclass(frozen=True)
class Lookup:
    permission_id: str  # '' when the subject does not hold the permission
    holds_read_space: bool  # only meaningful when the permission was not found


async def find_permission(api: ConfluenceAPI, space_id: str, subject: Principal, permission: Permission) -> Lookup:
    token = ""
    holds_read = False
    while True:
        page = await api.space_permissions(space_id, token)
        for item in page.items:
            held = _held_by(item, subject)
            if held == permission:
                return Lookup(item.id, True)
            holds_read = holds_read or held == READ_SPACE
        if not page.next_token:
            return Lookup("", holds_read)
        token = page.next_token


def _held_by(item: SpacePermission, subject: Principal) -> Permission | None:
    """The permission an item grants, if it is granted to `subject`."""
    if item.principal_type.lower() != subject.type or item.principal_id != subject.id:
        return None
    return Permission(item.operation, item.target)
