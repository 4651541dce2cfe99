"""Spaces: filters, profile, permission entitlements and permission grants (non-RBAC mode)."""

from __future__ import annotations

from typing import Any

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.confluence.connector import ConfluenceConnector
from tests.confluence.conftest import run_against
from tests.confluence.driver import SyncOutput, run_sync
from tests.confluence.fake_site import FakeSite


def sync(site: FakeSite, **options: Any) -> SyncOutput:
    async def scenario(connector: ConfluenceConnector) -> SyncOutput:
        return await run_sync(connector)

    return run_against(site, scenario, **options)


def test_all_spaces_by_default(site: FakeSite) -> None:
    assert sync(site).ids("space") == ["1", "2", "3", "4"]


def test_space_resource_and_profile(site: FakeSite) -> None:
    eng = sync(site).resources["space"][0]
    assert eng.display_name == "Space ENG"
    assert dict(eng.profile) == {"space_key": "ENG", "space_type": "global", "space_status": "current"}
    assert not ann.has(eng.annotations, pb.resource_tree.ChildResourceType)


def test_skip_personal_spaces(site: FakeSite) -> None:
    assert sync(site, skip_personal_spaces=True).ids("space") == ["1", "3", "4"]


def test_skip_archived_spaces(site: FakeSite) -> None:
    assert sync(site, skip_archived_spaces=True).ids("space") == ["1", "2", "4"]
    assert any("status=current" in url for url in site.calls)


def test_include_space_keys(site: FakeSite) -> None:
    output = sync(site, include_space_keys=("ENG", "DOC"))
    assert output.ids("space") == ["1", "4"]
    # Filtered spaces get no entitlements or grants: nothing of space 2 or 3 is asked for.
    assert not any("/spaces/2/" in url or "/spaces/3/" in url for url in site.calls)
    assert {e.resource.id.resource for e in output.entitlements if e.resource.id.resource_type == "space"} == {
        "1",
        "4",
    }


def test_exclude_space_keys(site: FakeSite) -> None:
    assert sync(site, exclude_space_keys=("ENG", "~alice")).ids("space") == ["3", "4"]


def test_permission_entitlements_are_valid_pairs_only(site: FakeSite) -> None:
    output = sync(site, include_space_keys=("ENG",))
    slugs = [e.slug for e in output.entitlements if e.resource.id.resource_type == "space"]
    assert len(slugs) == 14 and "update-space" not in slugs and "read-page" not in slugs
    read = next(e for e in output.entitlements if e.id == "space:1:read-space")
    assert read.display_name == "Can read-space Space ENG"
    assert read.description == "Has permission to read space the Space ENG space in Confluence"
    assert read.purpose == pb.entitlement.Entitlement.PurposeValue.PURPOSE_VALUE_PERMISSION
    # Upstream's second WithGrantableTo replaced the first; here both kinds are grantable.
    assert [t.id for t in read.grantable_to] == ["user", "group"]


def test_noun_and_verb_selection(site: FakeSite) -> None:
    output = sync(site, include_space_keys=("ENG",), nouns=("space", "whiteboard"), verbs=("read", "create"))
    slugs = [e.slug for e in output.entitlements if e.resource.id.resource_type == "space"]
    assert slugs == ["read-space", "create-whiteboard"]
    assert "space:1:create-whiteboard:user:alice" in output.grant_ids()


def test_permission_grants(site: FakeSite) -> None:
    grants = {g.id: g for g in sync(site).grants if g.entitlement.resource.id.resource_type == "space"}
    assert sorted(grants) == [
        "space:1:create-page:group:g1",
        "space:1:read-space:group:g1",
        "space:1:read-space:user:alice",
        "space:2:administer-space:user:alice",
        "space:4:export-space:group:g2",
    ]  # dropped: the bot's grant, anonymous access, update-space, unselected create-whiteboard
    group_grant = grants["space:1:read-space:group:g1"]
    expandable = ann.find(group_grant.annotations, pb.grant_annotations.GrantExpandable)
    assert expandable is not None and list(expandable.entitlement_ids) == ["group:g1:member"]
    assert ann.find(grants["space:1:read-space:user:alice"].annotations, pb.grant_annotations.GrantExpandable) is None
    assert group_grant.entitlement.id == "space:1:read-space"
    assert group_grant.principal.id.resource_type == "group"


def test_unknown_user_principal_kept_when_user_listing_is_incomplete(site: FakeSite) -> None:
    """Without a complete user listing in this process, only known non-humans are dropped."""

    async def scenario(connector: ConfluenceConnector) -> list[str]:
        space = next(s for s in connector.syncers() if s.resource_type().id == "space")
        spaces = (await space.list(None, "")).items
        connector.ctx.accounts.others.add("bot")
        page = await space.grants(spaces[0], "")
        return [g.id for g in page.items]

    site.permissions["1"].append(
        {"principal": {"type": "user", "id": "stranger"}, "operation": {"key": "read", "targetType": "space"}}
    )
    site.page_size = 50
    ids = run_against(site, scenario)
    assert "space:1:read-space:user:stranger" in ids
    assert "space:1:read-space:user:bot" not in ids


def test_rbac_mode_spaces_have_children_and_no_permissions(site: FakeSite) -> None:
    output = sync(site, use_rbac=True)
    eng = output.resources["space"][0]
    child = ann.find(eng.annotations, pb.resource_tree.ChildResourceType)
    assert child is not None and child.resource_type_id == "space_role_assignment"
    assert not [e for e in output.entitlements if e.resource.id.resource_type == "space"]
    assert not any("/permissions" in url for url in site.calls)
