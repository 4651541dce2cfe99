"""The noun/verb catalog: defaults, valid pairs, the errors for bad selections, and how a
reported pair is classified."""

from __future__ import annotations

import grpc
import pytest

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.permissions import (
    PermissionCatalog,
    ReportedPair,
    classify_reported_pair,
    parse_slug,
    valid_slugs,
)

# Atlassian's documented v1 write pairs (docs/permissions.md, S1), written out by hand: the
# default selection must stay exactly these, in noun-major catalogue order.
DOCUMENTED_DEFAULTS = [
    "create-attachment",
    "delete-attachment",
    "create-blogpost",
    "delete-blogpost",
    "create-comment",
    "delete-comment",
    "archive-page",
    "create-page",
    "delete-page",
    "administer-space",
    "delete-space",
    "export-space",
    "read-space",
    "restrict_content-space",
]
# The opt-in pairs of docs/permissions.md (S2 + S4), also by hand, in catalogue order.
OPT_IN = [
    "archive-database",
    "create-database",
    "delete-database",
    "archive-embed",
    "create-embed",
    "delete-embed",
    "create-folder",
    "delete-folder",
    "archive-whiteboard",
    "create-whiteboard",
    "delete-whiteboard",
]


def test_defaults_are_the_documented_pairs() -> None:
    assert [p.slug for p in PermissionCatalog.select()] == DOCUMENTED_DEFAULTS
    assert [p.slug for p in PermissionCatalog.select([" "], [""])] == DOCUMENTED_DEFAULTS


def test_every_valid_pair_is_selectable_and_listed() -> None:
    every = PermissionCatalog.select(
        ["attachment", "blogpost", "comment", "page", "space", "database", "embed", "folder", "whiteboard"],
        ["administer", "archive", "create", "delete", "export", "read", "restrict_content"],
    )
    assert [p.slug for p in every] == DOCUMENTED_DEFAULTS + OPT_IN
    assert sorted(valid_slugs()) == sorted(DOCUMENTED_DEFAULTS + OPT_IN)


def test_selection_is_case_and_order_insensitive() -> None:
    catalog = PermissionCatalog.select([" Space", "page"], ["READ", "create"])
    assert [p.slug for p in catalog] == ["create-page", "read-space"]
    assert catalog.allows("read", "space") and not catalog.allows("read", "page")


def test_unknown_noun_lists_valid_values() -> None:
    with pytest.raises(ConnectorError) as caught:
        PermissionCatalog.select(["pages"], [])
    err = caught.value
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "'pages'" in err.message and "attachment, blogpost, comment, page, space" in err.message
    assert all(noun in err.message for noun in ("database", "embed", "folder", "whiteboard"))
    assert "\n" not in err.message


def test_unknown_verb_lists_valid_values() -> None:
    with pytest.raises(ConnectorError) as caught:
        PermissionCatalog.select([], ["edit"])
    assert "'edit'" in caught.value.message and "restrict_content" in caught.value.message


@pytest.mark.parametrize("verb", ["copy", "move", "purge"])
def test_verbs_without_a_sourced_pair_are_refused(verb: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        PermissionCatalog.select([], [verb])
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT and f"'{verb}'" in caught.value.message


def test_selection_without_a_valid_pair() -> None:
    with pytest.raises(ConnectorError) as caught:
        PermissionCatalog.select(["space"], ["update"])
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "read-space" in caught.value.message and "archive-whiteboard" in caught.value.message


def test_newer_targets_are_opt_in() -> None:
    # archive-whiteboard joined the catalogue (docs/permissions.md): the noun now selects three pairs.
    assert [p.slug for p in PermissionCatalog.select(["whiteboard"], [])] == [
        "archive-whiteboard",
        "create-whiteboard",
        "delete-whiteboard",
    ]
    assert [p.slug for p in PermissionCatalog.select(["embed", "folder"], ["archive"])] == ["archive-embed"]


def test_slugs_round_trip() -> None:
    for slug in valid_slugs():
        parsed = parse_slug(slug)
        assert parsed is not None and parsed.slug == slug
    assert parse_slug("update-space") is None and parse_slug("nonsense") is None
    for unsourced in ("copy-page", "move-page", "purge-page", "archive-folder", "delete-mail", "use-application"):
        assert parse_slug(unsourced) is None


@pytest.mark.parametrize(
    ("verb", "noun", "expected"),
    [
        ("read", "space", ReportedPair.SELECTED),
        ("archive", "page", ReportedPair.SELECTED),
        ("create", "whiteboard", ReportedPair.KNOWN_UNSELECTED),
        ("archive", "embed", ReportedPair.KNOWN_UNSELECTED),
        ("delete", "folder", ReportedPair.KNOWN_UNSELECTED),
        ("copy", "page", ReportedPair.UNKNOWN),
        ("move", "page", ReportedPair.UNKNOWN),
        ("update", "space", ReportedPair.UNKNOWN),
        ("use", "application", ReportedPair.UNKNOWN),
        ("", "", ReportedPair.UNKNOWN),
    ],
)
def test_reported_pairs_against_the_defaults(verb: str, noun: str, expected: ReportedPair) -> None:
    assert classify_reported_pair(PermissionCatalog.select(), verb, noun) is expected


def test_reported_pairs_follow_the_selection() -> None:
    catalog = PermissionCatalog.select(["whiteboard"], ["archive"])
    assert classify_reported_pair(catalog, "archive", "whiteboard") is ReportedPair.SELECTED
    assert classify_reported_pair(catalog, "read", "space") is ReportedPair.KNOWN_UNSELECTED
    assert classify_reported_pair(catalog, "archive", "folder") is ReportedPair.UNKNOWN
