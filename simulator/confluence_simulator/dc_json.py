"""JSON shapes of Data Center entities (DC_FACTS.md has the source of each field).

Users as in `/rest/api/user/list` (`type: known`, `username`, `userKey`, `displayName`,
`profilePicture`, `_links.self` = `/rest/api/user?key=`), `status` only when expanded; groups
`{type: group, name}` (no id); spaces with a numeric `id`; 9.1 space permissions
`{operation: {targetType, operationKey}, subject: {type, userKey | name}, spaceKey, spaceId}`.
"""

from __future__ import annotations

from typing import Any

from confluence_simulator.dc_directory import DcUser
from confluence_simulator.state import Group, Space, SpacePermission, User

# The pairs Data Center's grant/revoke endpoints document, as (targetType, operationKey), and the
# state's (operation key, target) for each. delete_mail has no Cloud twin: stored under its DC name.
DC_PAIRS: dict[tuple[str, str], tuple[str, str]] = {
    ("space", "read"): ("read", "space"),
    ("space", "administer"): ("administer", "space"),
    ("space", "export"): ("export", "space"),
    ("space", "restrict"): ("restrict_content", "space"),
    ("space", "delete_own"): ("delete", "space"),
    ("space", "delete_mail"): ("delete_mail", "space"),
    **{(t, op): (op, t) for t in ("page", "blogpost", "comment", "attachment") for op in ("create", "delete")},
}
STATE_TO_DC = {state: dc for dc, state in DC_PAIRS.items()}

# The remote API's permission type for each state pair (Atlassian's "Remote Confluence Methods"
# permission table; DC_FACTS.md §Remote API). Pairs not listed (Cloud-only ones) are not shown.
RPC_TYPES: dict[tuple[str, str], str] = {
    ("read", "space"): "VIEWSPACE",
    ("administer", "space"): "SETSPACEPERMISSIONS",
    ("export", "space"): "EXPORTSPACE",
    ("restrict_content", "space"): "SETPAGEPERMISSIONS",
    ("delete", "space"): "REMOVEOWNCONTENT",
    ("delete_mail", "space"): "REMOVEMAIL",
    ("create", "page"): "EDITSPACE",
    ("delete", "page"): "REMOVEPAGE",
    ("create", "blogpost"): "EDITBLOG",
    ("delete", "blogpost"): "REMOVEBLOG",
    ("create", "comment"): "COMMENT",
    ("delete", "comment"): "REMOVECOMMENT",
    ("create", "attachment"): "CREATEATTACHMENT",
    ("delete", "attachment"): "REMOVEATTACHMENT",
}


def rpc_type(perm: SpacePermission) -> str:
    """The remote API's type string of a state permission, '' when Data Center has no such one."""
    return RPC_TYPES.get((perm.key, perm.target), "")


def user(entry: DcUser, account: User, base: str, *, status: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "known",
        "username": entry.username,
        "userKey": entry.user_key,
        "profilePicture": {"path": "/images/icons/profilepics/default.svg", "width": 48, "height": 48,
                           "isDefault": True},
        "displayName": account.display_name,
    }
    if account.email:
        out["email"] = account.email
    if status:
        out["status"] = "active" if account.active else "deactivated"
    else:
        out["_expandable"] = {"status": ""}
    out["_links"] = {"self": f"{base}/rest/api/user?key={entry.user_key}"}
    return out


def anonymous() -> dict[str, Any]:
    return {"type": "anonymous", "displayName": "Anonymous",
            "profilePicture": {"path": "/images/icons/profilepics/anonymous.svg", "isDefault": True}}


def group(item: Group, base: str) -> dict[str, Any]:
    return {"type": "group", "name": item.name, "_links": {"self": f"{base}/rest/api/group/{item.name}"}}


def space(item: Space, base: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "key": item.key,
        "name": item.name,
        "type": "personal" if item.type == "personal" else "global",
        "status": item.status,
        "_links": {"webui": f"/display/{item.key}", "self": f"{base}/rest/api/space/{item.key}"},
        "_expandable": {"metadata": "", "icon": "", "description": "", "homepage": ""},
    }


def permission(perm: SpacePermission, item: Space, subject: dict[str, Any]) -> dict[str, Any] | None:
    pair = STATE_TO_DC.get((perm.key, perm.target))
    if pair is None:
        return None
    return {
        "operation": {"targetType": pair[0], "operationKey": pair[1]},
        "subject": subject,
        "spaceKey": item.key,
        "spaceId": item.id,
    }
