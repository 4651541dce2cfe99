"""Data Center JSON -> the Cloud-shaped dicts the shared syncers read.

The syncers were written against Cloud's answers; the DC adapter hands them the same keys, so one
set of syncers serves both products. What changes is where the values come from:

| syncers read           | Cloud                        | Data Center (this module)                     |
|------------------------|------------------------------|-----------------------------------------------|
| user `accountId`       | accountId                    | `userKey`: immutable, unlike `username`       |
| user `operations`      | expand=operations            | [] for a deactivated user, one entry otherwise |
| user `username`        | (absent since the GDPR move) | `username`: login name, goes to the profile   |
| group `id`             | group id                     | the group **name**: DC groups have no id      |
| space `id`             | numeric id (string)          | numeric `id` of `/rest/api/space`, as string  |
| permission `principal` | {type, id}                   | `subject` {type, userKey or name}; JSON-RPC: userName -> userKey, groupName, neither = anonymous |
| permission `operation` | {key, targetType}            | mapped from {targetType, operationKey}        |
| permission `id`        | numeric id                   | synthetic: subject + pair (DC has no ids)     |

User status: `/rest/api/user/list` lists disabled users too ("including ... Disabled users",
Atlassian DC REST docs) and reports status only with `expand=status`; the value's exact form is
not documented, so any of the usual spellings of "not active" is read as deactivated (docs/datacenter.md).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from baton_confluence.confluence.datacenter.permission_map import from_dc
from baton_confluence.confluence.syncers.records import ident, obj, text

# What an active user's `operations` look like to the syncers (any non-empty list means active).
_ACTIVE_OPERATIONS = [{"operation": "use", "targetType": "application"}]
_INACTIVE_STATUSES = frozenset({"deactivated", "disabled", "inactive", "unlicensed", "deleted", "shadowed"})
_PERMISSION_ID_PREFIX = "dc-permission:"


def user(raw: dict[str, Any]) -> dict[str, Any] | None:
    """A DC user as a Cloud-shaped user, or None for the anonymous user or one without a key."""
    key = text(raw.get("userKey"))
    if not key or text(raw.get("type")) == "anonymous":
        return None
    return {
        "accountId": key,
        "accountType": "atlassian",  # DC has no app or customer accounts among its users
        "displayName": text(raw.get("displayName")) or text(raw.get("username")) or key,
        "email": text(raw.get("email")),
        "username": text(raw.get("username")),
        "operations": list(_ACTIVE_OPERATIONS) if is_active(raw) else [],
    }


def is_active(raw: dict[str, Any]) -> bool:
    if raw.get("active") is False or raw.get("isActive") is False:
        return False
    status = raw.get("status")
    if isinstance(status, dict):
        status = status.get("value") or status.get("status") or status.get("name")
    return not (isinstance(status, str) and status.strip().lower() in _INACTIVE_STATUSES)


def group(raw: dict[str, Any]) -> dict[str, Any] | None:
    name = text(raw.get("name"))
    return {"id": name, "name": name, "type": text(raw.get("type")) or "group"} if name else None


def space(raw: dict[str, Any]) -> dict[str, Any] | None:
    space_id, key = ident(raw.get("id")), text(raw.get("key"))
    if not space_id or not key:
        return None
    return {
        "id": space_id,
        "key": key,
        "name": text(raw.get("name")) or key,
        "type": text(raw.get("type")),
        "status": text(raw.get("status")).lower(),
    }


def permission(raw: dict[str, Any]) -> dict[str, Any] | None:
    """A DC space permission as a Cloud v2 space-permission item; None when it has no slug."""
    operation = obj(raw.get("operation"))
    principal = subject(obj(raw.get("subject")))
    if principal is None:
        return None
    return cloud_permission(*principal, text(operation.get("targetType")), text(operation.get("operationKey")))


def cloud_permission(kind: str, principal_id: str, target: str, op: str) -> dict[str, Any] | None:
    """The Cloud v2 space-permission item for a subject and DC pair; None when the pair has no slug.

    Shared by the 9.1 REST path and the JSON-RPC path, so both emit identical items."""
    mapped = from_dc(target, op)
    if mapped is None:
        return None
    return {
        "id": permission_id(kind, principal_id, target, op),
        "principal": {"type": kind, "id": principal_id},
        "operation": {"key": mapped.verb, "targetType": mapped.noun},
    }


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
