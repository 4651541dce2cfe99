"""JSON shapes of Cloud entities (field names and nesting from the v1/v2 OpenAPI documents).

Kept apart from the handlers so a Data Center flavour can render the same entities its own way.
"""

from __future__ import annotations

from typing import Any

from confluence_simulator.state import (
    Group,
    RoleAssignment,
    Space,
    SpacePermission,
    SpaceRole,
    User,
)
from confluence_simulator.variants_spec import (
    ROLE_NAME_BOTH,
    ROLE_NAME_DISPLAY_NAME,
    ROLE_NAME_NAME,
)

# What `expand=operations` shows for a licensed, active account (v1 OperationCheckResult list).
# Deactivated and unlicensed accounts get an empty list: the accepted sign of "cannot use".
ACTIVE_OPERATIONS: tuple[dict[str, str], ...] = (
    {"operation": "administer", "targetType": "application"},
    {"operation": "create", "targetType": "page"},
    {"operation": "create", "targetType": "blogpost"},
    {"operation": "create", "targetType": "comment"},
    {"operation": "create_space", "targetType": "application"},
    {"operation": "use", "targetType": "application"},
    {"operation": "update", "targetType": "userProfile"},
)
_USER_OPERATIONS = tuple(op for op in ACTIVE_OPERATIONS if op["operation"] != "administer")


def avatar_path(account_id: str) -> str:
    return f"/wiki/aa-avatar/{account_id}"


def v1_user(
    user: User,
    base: str,
    *,
    operations: bool,
    personal_space: Space | None = None,
    expand_space: bool = False,
    is_admin: bool = False,
) -> dict[str, Any]:
    """A v1 `User` (search results, group members, current user)."""
    expandable: dict[str, str] = {}
    out: dict[str, Any] = {
        "type": "known",
        "accountId": user.account_id,
        "accountType": user.account_type,
        "email": user.email,
        "publicName": user.public_name,
        "profilePicture": {"path": avatar_path(user.account_id), "width": 48, "height": 48, "isDefault": False},
        "displayName": user.display_name,
        "isExternalCollaborator": user.external_collaborator,
    }
    _null_profile(user, out)
    if user.time_zone is not None:
        out["timeZone"] = user.time_zone
    if operations:
        if not user.active or user.account_type == "customer":
            out["operations"] = []
        else:
            out["operations"] = [dict(op) for op in (ACTIVE_OPERATIONS if is_admin else _USER_OPERATIONS)]
    else:
        expandable["operations"] = ""
    if expand_space:
        if personal_space is not None:
            out["personalSpace"] = {
                "id": personal_space.id,
                "key": personal_space.key,
                "name": personal_space.name,
                "type": personal_space.type,
                "status": personal_space.status,
            }
    else:
        expandable["personalSpace"] = ""
    if expandable:
        out["_expandable"] = expandable
    out["_links"] = {"self": f"{base}/rest/api/user?accountId={user.account_id}"}
    return out


def _null_profile(user: User, out: dict[str, Any]) -> None:
    """email, publicName and displayName become JSON null, in place, for a `null_profile` account."""
    if user.null_profile:
        out.update(email=None, publicName=None, displayName=None)


def v1_user_search_result(user: User, user_json: dict[str, Any]) -> dict[str, Any]:
    """One item of `GET /rest/api/search/user` (a v1 `SearchResult` with a user)."""
    return {
        "user": user_json,
        "title": user.display_name,
        "excerpt": "",
        "url": f"/people/{user.account_id}",
        "breadcrumbs": [],
        "entityType": "user",
        "iconCssClass": "aui-icon content-type-profile",
        "lastModified": "2024-01-01T00:00:00.000Z",
        "score": 0.0,
    }


def v1_group(group: Group, base: str) -> dict[str, Any]:
    return {
        "type": "group",
        "name": group.name,
        "id": group.id,
        "_links": {"self": f"{base}/rest/api/group/by-id?id={group.id}"},
    }


def v1_space_permission(perm: SpacePermission, space: Space, base: str) -> dict[str, Any]:
    """The `SpacePermissionV2` answer of the v1 add-permission endpoint."""
    subject_type = "group" if perm.principal_type == "group" else "user"
    identifier = "anonymous" if perm.principal_type == "access_class" else perm.principal_id
    return {
        "id": perm.id,
        "subject": {"type": subject_type, "identifier": identifier},
        "operation": {"key": perm.key, "target": perm.target},
        "_links": {"base": base, "context": "/wiki", "self": f"{base}/rest/api/space/{space.key}/permission/{perm.id}"},
    }


def v2_space(space: Space) -> dict[str, Any]:
    return {
        "id": str(space.id),
        "key": space.key,
        "name": space.name,
        "type": space.type,
        "status": space.status,
        "authorId": space.author_id,
        "createdAt": space.created_at,
        "homepageId": str(space.homepage_id),
        "spaceOwnerId": space.author_id,
        "currentActiveAlias": space.key,
        "description": None,
        "icon": None,
        "_links": {"webui": f"/spaces/{space.key}"},
    }


def v2_space_permission(perm: SpacePermission) -> dict[str, Any]:
    return {
        "id": str(perm.id),
        "principal": {"type": perm.principal_type, "id": perm.principal_id},
        "operation": {"key": perm.key, "targetType": perm.target},
    }


def v2_role(role: SpaceRole, name_field: str = ROLE_NAME_BOTH) -> dict[str, Any]:
    """A v2 `SpaceRole`; `name_field` says which of `name` / `displayName` it carries (FACTS.md)."""
    names: dict[str, str] = {}
    if name_field in (ROLE_NAME_BOTH, ROLE_NAME_NAME):
        names["name"] = role.name
    if name_field in (ROLE_NAME_BOTH, ROLE_NAME_DISPLAY_NAME):
        names["displayName"] = role.name
    return {
        "id": role.id,
        "type": role.type,
        **names,
        "description": role.description,
        "spacePermissions": list(role.space_permissions),
    }


def v2_role_assignment(assignment: RoleAssignment) -> dict[str, Any]:
    return {
        "principal": {"principalType": assignment.principal_type, "principalId": assignment.principal_id},
        "roleId": assignment.role_id,
    }


def v2_user(user: User) -> dict[str, Any]:
    """A v2 `User` (users-bulk)."""
    out = {
        "accountId": user.account_id,
        "accountType": user.account_type,
        "accountStatus": user.account_status,
        "email": user.email,
        "publicName": user.public_name,
        "displayName": user.display_name,
        "timeZone": user.time_zone,
        "personalSpaceId": None if user.personal_space_id is None else str(user.personal_space_id),
        "isExternalCollaborator": user.external_collaborator,
        "profilePicture": {"path": avatar_path(user.account_id), "isDefault": False},
    }
    _null_profile(user, out)
    return out
