"""Compact, JSON-native records of what the API returns, as the syncers and the cache keep them.

API objects carry avatars, links and expansions nobody reads; a cached member page holds only
these few fields, which keeps the spill file small. Ids may arrive as strings or numbers (upstream
review rule), so they are normalised to strings without ever going through a float.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

# Cloud `accountType` values (v1 schema, `User.accountType`): people with an Atlassian account,
# apps (bots acting for Forge/Connect/OAuth apps) and Jira Service Management portal customers.
ACCOUNT_TYPE_ATLASSIAN = "atlassian"
ACCOUNT_TYPE_APP = "app"
ACCOUNT_TYPE_CUSTOMER = "customer"


class UserRecord(TypedDict):
    id: str  # accountId
    type: str  # accountType: atlassian | app | customer
    name: str  # display name
    email: str  # '' when the user's privacy settings hide it
    active: bool  # `operations` was non-empty (empty: deactivated or unlicensed)
    gone: NotRequired[bool]  # the site answered 404 when the account was looked up (deleted)
    username: NotRequired[str]  # Data Center only: the login name (Cloud has none since 2019)


class GroupRecord(TypedDict):
    id: str
    name: str
    type: str


class ItemsPage(TypedDict):
    """A cached page: the records plus the API token of the next page ('' = last)."""

    items: list[Any]
    next: str


def ident(value: Any) -> str:
    """An id as a string: strings as they are, integers in decimal, anything else ''."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def user_record(user: dict[str, Any]) -> UserRecord | None:
    account_id = ident(user.get("accountId"))
    if not account_id:
        return None
    operations = user.get("operations")
    record = UserRecord(
        id=account_id,
        type=text(user.get("accountType")),
        name=text(user.get("displayName")) or text(user.get("publicName")) or account_id,
        email=text(user.get("email")).strip(),
        active=isinstance(operations, list) and len(operations) > 0,
    )
    username = text(user.get("username"))
    if username:  # only Data Center sends one; Cloud records stay exactly as they were
        record["username"] = username
    return record


def group_record(group: dict[str, Any]) -> GroupRecord | None:
    group_id = ident(group.get("id"))
    if not group_id:
        return None
    return GroupRecord(id=group_id, name=text(group.get("name")) or group_id, type=text(group.get("type")))


def gone_user(account_id: str) -> UserRecord:
    """The record of an account a grant names but the site no longer knows (404 on lookup)."""
    return UserRecord(id=account_id, type="", name=account_id, email="", active=False, gone=True)


def obj(value: Any) -> dict[str, Any]:
    """A JSON object field, or {} when absent or of another type."""
    return value if isinstance(value, dict) else {}
