"""The noun/verb catalog: defaults, valid pairs, and the errors for bad selections."""

from __future__ import annotations

import grpc
import pytest

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.permissions import PermissionCatalog, parse_slug, valid_slugs


def test_defaults_are_upstream_terms_restricted_to_real_pairs() -> None:
    slugs = [p.slug for p in PermissionCatalog.select()]
    assert slugs == [
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
    assert "\n" not in err.message


def test_unknown_verb_lists_valid_values() -> None:
    with pytest.raises(ConnectorError) as caught:
        PermissionCatalog.select([], ["edit"])
    assert "'edit'" in caught.value.message and "restrict_content" in caught.value.message


def test_selection_without_a_valid_pair() -> None:
    with pytest.raises(ConnectorError) as caught:
        PermissionCatalog.select(["space"], ["update"])
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "read-space" in caught.value.message


def test_newer_targets_are_opt_in() -> None:
    assert [p.slug for p in PermissionCatalog.select(["whiteboard"], [])] == ["create-whiteboard", "delete-whiteboard"]


def test_slugs_round_trip() -> None:
    for slug in valid_slugs():
        parsed = parse_slug(slug)
        assert parsed is not None and parsed.slug == slug
    assert parse_slug("update-space") is None and parse_slug("nonsense") is None
