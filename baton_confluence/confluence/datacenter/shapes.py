"""Data Center JSON -> the client's records (client/records.py), the same ones Cloud answers in.

One set of syncers serves both products because both adapters answer in the same records. What
changes is where the values come from:

| record field                   | Cloud                        | Data Center (this module)                     |
|--------------------------------|------------------------------|-----------------------------------------------|
| `Account.id`                   | accountId                    | `userKey`: immutable, unlike `username`       |
| `Account.active`               | expand=operations non-empty  | False for a deactivated user (status below)   |
| `Account.username`             | (absent since the GDPR move) | `username`: login name, goes to the profile   |
| `Group.id`                     | group id                     | the group **name**: DC groups have no id      |
| `Space.id`                     | numeric id (string)          | numeric `id` of `/rest/api/space`, as string  |
| `SpacePermission.principal_*`  | principal {type, id}         | `subject` {type, userKey or name}; JSON-RPC: userName -> userKey, groupName, neither = anonymous |
| `SpacePermission.operation`, `.target` | operation {key, targetType} | mapped from {targetType, operationKey} |
| `SpacePermission.id`           | numeric id                   | synthetic: subject + pair (DC has no ids)     |

User status: `/rest/api/user/list` lists disabled users too ("including ... Disabled users",
Atlassian DC REST docs) and reports status only with `expand=status`; the value's exact form is
not documented, so any of the usual spellings of "not active" is read as deactivated (docs/datacenter.md).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from baton_confluence.confluence.client import (
    ACCOUNT_TYPE_ATLASSIAN,
    Account,
    Group,
    Space,
    SpacePermission,
    ident,
    obj,
    text,
)
from baton_confluence.confluence.datacenter.permission_map import from_dc

_INACTIVE_STATUSES = frozenset({"deactivated", "disabled", "inactive", "unlicensed", "deleted", "shadowed"})
_PERMISSION_ID_PREFIX = "dc-permission:"


def user(raw: dict[str, Any]) -> Account | None:
    """A DC user's account, or None for the anonymous user or one without a key."""
    key = text(raw.get("userKey"))
    if not key or text(raw.get("type")) == "anonymous":
        return None
    username = text(raw.get("username"))
    return Account(
        id=key,
        type=ACCOUNT_TYPE_ATLASSIAN,  # DC has no app or customer accounts among its users
        name=text(raw.get("displayName")) or username or key,
        email=text(raw.get("email")).strip(),
        active=is_active(raw),
        username=username,
    )


def is_active(raw: dict[str, Any]) -> bool:
    if raw.get("active") is False or raw.get("isActive") is False:
        return False
    status = raw.get("status")
    if isinstance(status, dict):
        status = status.get("value") or status.get("status") or status.get("name")
    return not (isinstance(status, str) and status.strip().lower() in _INACTIVE_STATUSES)


def group(raw: dict[str, Any]) -> Group | None:
    name = text(raw.get("name"))
    return Group(id=name, name=name, type=text(raw.get("type")) or "group") if name else None


def space(raw: dict[str, Any]) -> Space | None:
    space_id, key = ident(raw.get("id")), text(raw.get("key"))
    if not space_id or not key:
        return None
    return Space(
        id=space_id,
        key=key,
        name=text(raw.get("name")) or key,
        type=text(raw.get("type")),
        status=text(raw.get("status")).lower(),
    )


def permission(raw: dict[str, Any]) -> SpacePermission | None:
    """A DC space permission (9.1 REST); None when it has no subject or its pair no slug."""
    operation = obj(raw.get("operation"))
    principal = subject(obj(raw.get("subject")))
    if principal is None:
        return None
    return permission_of(*principal, text(operation.get("targetType")), text(operation.get("operationKey")))


def permission_of(kind: str, principal_id: str, target: str, op: str) -> SpacePermission | None:
    """The record of a subject's DC pair (targetType, operationKey); None when the pair has no slug.

    Shared by the 9.1 REST path and the JSON-RPC path, so both emit identical records."""
    mapped = from_dc(target, op)
    if mapped is None:
        return None
    return SpacePermission(
        id=permission_id(kind, principal_id, target, op),
        principal_type=kind,
        principal_id=principal_id,
        operation=mapped.verb,
        target=mapped.noun,
    )


def subject(raw: dict[str, Any]) -> tuple[str, str] | None:
    """(principal type, id) of a DC permission subject: user -> userKey, group -> name."""
    kind = text(raw.get("type")).lower()
    if kind == "user":
        key = text(raw.get("userKey"))
        return ("user", key) if key else None
    if kind == "group":
        name = text(raw.get("name")) or text(raw.get("groupName"))
        return ("group", name) if name else None
    if kind == "anonymous":
        return ("anonymous", "anonymous")
    return None


def permission_id(kind: str, principal_id: str, target: str, operation: str) -> str:
    """DC permissions have no id; this one names subject and pair, so a revoke can be built from it."""
    parts = (kind, principal_id, target, operation)
    return _PERMISSION_ID_PREFIX + "/".join(quote(part, safe="") for part in parts)


def parse_permission_id(value: str) -> tuple[str, str, str, str] | None:
    """(principal type, principal id, targetType, operationKey) of a synthetic id, or None."""
    if not value.startswith(_PERMISSION_ID_PREFIX):
        return None
    parts = value.removeprefix(_PERMISSION_ID_PREFIX).split("/")
    if len(parts) != 4:
        return None
    kind, principal_id, target, operation = (unquote(part) for part in parts)
    return kind, principal_id, target, operation
