"""Parsing `--sync-resources`: the short `<type>:<id>` form and upstream's resource BIDs."""

from __future__ import annotations

import pytest

from baton_confluence.baton import pb
from baton_confluence.baton.errors import UsageError
from baton_confluence.baton.sync.targets import SyncTarget, parse_target, parse_targets


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("space:98306", SyncTarget("space", "98306")),
        ("user:557058:0b2f-aa", SyncTarget("user", "557058:0b2f-aa")),  # ids may hold colons
        ("  group:g1 ", SyncTarget("group", "g1")),
        ("bid:r:space/98306", SyncTarget("space", "98306")),
        ("bid:r:user/557058\\:0b2f", SyncTarget("user", "557058:0b2f")),
        ("bid:r:space/7/space_role_assignment/7\\:r\\/1", SyncTarget("space_role_assignment", "7:r/1", "space", "7")),
        ("bid:r:group/a\\\\b", SyncTarget("group", "a\\b")),
    ],
)
def test_accepted_forms(text: str, target: SyncTarget) -> None:
    assert parse_target(text) == target


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("space", "names no resource"),
        (":1", "names no resource"),
        ("space:", "names no resource"),
        ("bid:r:space", "is not a resource BID"),
        ("bid:r:space/", "is not a resource BID"),
        ("bid:r:a/b/c", "is not a resource BID"),
        ("bid:r:user/557058:0b2f", "unescaped ':'"),
        ("bid:r:space/1\\", "lone '\\'"),
    ],
)
def test_rejected_values_name_both_forms(text: str, complaint: str) -> None:
    with pytest.raises(UsageError, match="--sync-resources: ") as err:
        parse_target(text)
    assert complaint in str(err.value) and "expected <type>:<id> or bid:r:" in str(err.value)


def test_duplicates_are_dropped_in_order() -> None:
    assert parse_targets(["space:2", "bid:r:space/1", "space:2", " "]) == (
        SyncTarget("space", "2"),
        SyncTarget("space", "1"),
    )


def test_a_tasks_resource_message_becomes_a_target() -> None:
    resource = pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type="space_role_assignment", resource="7:r1"),
        parent_resource_id=pb.resource.ResourceId(resource_type="space", resource="7"),
    )
    target = SyncTarget.of(resource)
    assert target == SyncTarget("space_role_assignment", "7:r1", "space", "7")
    assert target.parent_id_message == resource.parent_resource_id
    assert SyncTarget.of(pb.resource.Resource(id=resource.id)).parent_id_message is None
