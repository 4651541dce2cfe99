"""The records the client answers in (client/records.py): lenient where sites are (JSON null,
absent fields, numeric ids), dropping only an object that lacks what names it."""

from __future__ import annotations

from typing import Any

import pytest

from baton_confluence.confluence.client import Account, Group, RoleAssignment, SignedIn, Space, SpacePermission, records


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # null profile fields (the simulator's DataVariants.null_optional_fields): the id names it
        (
            {"accountId": "a1", "displayName": None, "publicName": None, "email": None, "operations": [{}]},
            Account(id="a1", type="", name="a1", email="", active=True),
        ),
        # numeric id, publicName when displayName is absent, email trimmed, no operations: inactive
        (
            {"accountId": 5570, "accountType": "app", "publicName": "Bot", "email": " bot@x.io ", "operations": []},
            Account(id="5570", type="app", name="Bot", email="bot@x.io", active=False),
        ),
        ({"accountId": "a2", "operations": None, "accountType": None}, Account("a2", "", "a2", "", False)),
        ({"accountId": True, "displayName": "not an id"}, None),
        ({"displayName": "no id"}, None),
    ],
)
def test_account(raw: dict[str, Any], expected: Account | None) -> None:
    assert records.account(raw) == expected


def test_group_space_and_role_ids_may_be_numbers_and_names_may_be_null() -> None:
    assert records.group({"id": 7, "name": None}) == Group(id="7", name="7", type="")
    assert records.group({"name": "no id"}) is None
    space = {"id": 42, "key": "ENG", "name": None, "description": None, "icon": None}
    assert records.space(space) == Space(id="42", key="ENG", name="", type="", status="")
    assert records.space({"key": "NOID"}) is None


def test_a_space_permission_is_never_dropped() -> None:
    """The syncer counts the ones it cannot use (no principal, an unknown pair) in the report."""
    assert records.space_permission({"id": 9}) == SpacePermission("9", "", "", "", "")
    full = {"id": "10", "principal": {"type": "group", "id": 3}, "operation": {"key": "read", "targetType": "space"}}
    assert records.space_permission(full) == SpacePermission("10", "group", "3", "read", "space")
    assert records.space_permission({"principal": None, "operation": "read"}) == SpacePermission("", "", "", "", "")


def test_a_role_assignment_needs_its_role_and_principal() -> None:
    raw = {"principal": {"principalType": "access_class", "principalId": "anonymous-users"}, "roleId": 12}
    assert records.role_assignment(raw) == RoleAssignment("ACCESS_CLASS", "anonymous-users", "12")
    assert records.role_assignment({"principal": {"principalType": "USER", "principalId": "a"}}) is None
    assert records.role_assignment({"principal": None, "roleId": "r"}) is None


def test_a_removal_has_no_role_in_its_json() -> None:
    assert RoleAssignment("group", "g").to_json() == {"principal": {"principalType": "GROUP", "principalId": "g"}}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {"accountId": "me", "operations": [{"operation": "administer", "targetType": "application"}]},
            SignedIn("me", True),
        ),
        ({"accountId": "me", "operations": [{"operation": "use", "targetType": "application"}, "x"]}, SignedIn("me", False)),
        ({"accountId": "me"}, SignedIn("me", None)),  # operations not expanded: nothing can be said
        ({"type": "anonymous"}, SignedIn("", None)),
    ],
)
def test_signed_in(raw: dict[str, Any], expected: SignedIn) -> None:
    assert records.signed_in(raw) == expected
