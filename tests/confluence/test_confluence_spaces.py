"""Spaces: filters, profile, permission entitlements and grants to every principal (non-RBAC mode),
the completeness notes of skipped pairs, and lookups by id (spaces, access classes)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import grpc
import pytest

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.sync.completeness import read_notes
from baton_confluence.baton.syncer import ResourceGetter, ResourceSyncer
from baton_confluence.confluence.connector import ConfluenceConnector
from tests.confluence.conftest import get_by_id, run_against
from tests.confluence.driver import SyncOutput, all_pages, run_sync
from tests.confluence.fake_site import FakeSite, permission

Grants = list[pb.grant.Grant]


def sync(site: FakeSite, **options: Any) -> SyncOutput:
    async def scenario(connector: ConfluenceConnector) -> SyncOutput:
        return await run_sync(connector)

    return run_against(site, scenario, **options)


def syncer_of(connector: ConfluenceConnector, type_id: str) -> ResourceSyncer:
    return next(s for s in connector.syncers() if s.resource_type().id == type_id)


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
        "space:1:read-space:access_class:anonymous",
        "space:1:read-space:group:g1",
        "space:1:read-space:user:alice",
        "space:1:read-space:user:bot",
        "space:2:administer-space:user:alice",
        "space:4:export-space:group:g2",
    ]  # dropped: update-space (not a real pair), create-whiteboard (not selected)
    group_grant = grants["space:1:read-space:group:g1"]
    expandable = ann.find(group_grant.annotations, pb.grant_annotations.GrantExpandable)
    assert expandable is not None and list(expandable.entitlement_ids) == ["group:g1:member"]
    assert ann.find(grants["space:1:read-space:user:alice"].annotations, pb.grant_annotations.GrantExpandable) is None
    assert group_grant.entitlement.id == "space:1:read-space"
    assert group_grant.principal.id.resource_type == "group"


def space_grants(site: FakeSite, space_index: int = 0, *, list_users_first: bool = False, **opts: Any) -> Grants:
    """Every grant of one space, read straight from the space syncer (all pages)."""

    async def scenario(connector: ConfluenceConnector) -> Grants:
        if list_users_first:
            users = syncer_of(connector, "user")
            await all_pages(lambda t: users.list(None, t))
        spaces = syncer_of(connector, "space")
        listed = await all_pages(lambda t: spaces.list(None, t))
        return await all_pages(lambda t: spaces.grants(listed[space_index], t))

    return run_against(site, scenario, **opts)


def principals(grants: Grants) -> dict[str, tuple[str, str]]:
    """grant id -> (principal type, principal id)."""
    return {g.id: (g.principal.id.resource_type, g.principal.id.resource) for g in grants}


def test_permission_held_by_an_app_account_is_kept(site: FakeSite) -> None:
    assert any(u["accountId"] == "bot" and u["accountType"] == "app" for u in site.search)
    found = principals(space_grants(site))
    assert found["space:1:read-space:user:bot"] == ("user", "bot")


@pytest.mark.parametrize("list_users_first", [False, True])
def test_user_principal_granted_whether_or_not_the_user_listing_ran(site: FakeSite, list_users_first: bool) -> None:
    """A user principal no listing returns is granted all the same (the engine looks it up)."""
    site.permissions["1"].append(permission("user", "stranger", "read", "space"))
    ids = principals(space_grants(site, list_users_first=list_users_first))
    assert ids["space:1:read-space:user:stranger"] == ("user", "stranger")
    assert ids["space:1:read-space:user:bot"] == ("user", "bot")


def test_role_principal_is_a_space_role_when_the_catalogue_has_it(site: FakeSite) -> None:
    site.permissions["1"] += [
        permission("role", "r-viewer", "read", "space"),  # one of the site's roles
        permission("role", "all-licensed-users", "read", "space"),  # not a role: a class of users
    ]
    assert "r-viewer" in {r["id"] for r in site.roles or []}
    found = principals(space_grants(site))
    assert found["space:1:read-space:space_role:r-viewer"] == ("space_role", "r-viewer")
    assert found["space:1:read-space:access_class:all-licensed-users"] == ("access_class", "all-licensed-users")
    assert not any(p == ("access_class", "r-viewer") for p in found.values())


def test_role_principal_is_an_access_class_when_the_site_has_no_roles(site: FakeSite) -> None:
    site.roles = None  # the role endpoints answer 404
    site.permissions["1"].append(permission("role", "r-viewer", "read", "space"))
    found = principals(space_grants(site))
    assert found["space:1:read-space:access_class:r-viewer"] == ("access_class", "r-viewer")
    assert not any(t == "space_role" for t, _ in found.values())


def test_role_catalogue_read_only_for_role_principals(site: FakeSite) -> None:
    space_grants(site)  # space 1 has no `role` principal
    assert not any("/space-roles" in url for url in site.calls)


def test_anonymous_and_other_principals_are_access_classes(site: FakeSite) -> None:
    site.permissions["4"] = [
        permission("access_class", "anonymous", "read", "space"),  # the standard site's form
        permission("anonymous", "", "export", "space"),  # no id: the type names the class
        permission("some_future_type", "everyone-in-org", "read", "space"),
    ]
    grants = space_grants(site, 3)
    assert principals(grants) == {
        "space:4:read-space:access_class:anonymous": ("access_class", "anonymous"),
        "space:4:export-space:access_class:anonymous": ("access_class", "anonymous"),
        "space:4:read-space:access_class:everyone-in-org": ("access_class", "everyone-in-org"),
    }
    assert not any(ann.has(g.annotations, pb.grant_annotations.GrantExpandable) for g in grants)


def test_principal_without_type_or_id_is_counted_not_granted(site: FakeSite) -> None:
    site.permissions["4"] = [permission("", "", "read", "space"), permission("group", "g2", "read", "space")]
    assert principals(space_grants(site, 3)) == {"space:4:read-space:group:g2": ("group", "g2")}
    assert skipped_notes(site)["permissions_skipped.no_principal"] == 1


def skipped_notes(site: FakeSite, **opts: Any) -> Counter[str]:
    """The completeness counters of every grants page of every space."""

    async def scenario(connector: ConfluenceConnector) -> Counter[str]:
        spaces = syncer_of(connector, "space")
        counts: Counter[str] = Counter()
        for space in await all_pages(lambda t: spaces.list(None, t)):
            token = ""
            while True:
                page = await spaces.grants(space, token)
                counts += read_notes(page.annotations)
                if not page.next_token:
                    break
                token = page.next_token
        return counts

    return run_against(site, scenario, **opts)


def test_skipped_pairs_counted_as_unselected_or_unknown(site: FakeSite) -> None:
    # Space 1 holds update/space (no such pair) and create/whiteboard (a pair the default
    # selection leaves out); every other permission of the site is granted.
    assert skipped_notes(site) == Counter(
        {"permissions_skipped.unknown.update-space": 1, "permissions_skipped.unselected.create-whiteboard": 1}
    )


def test_skipped_pairs_follow_the_selection(site: FakeSite) -> None:
    site.page_size = 1  # counters add up across pages
    counts = skipped_notes(site, nouns=("space",), verbs=("read",))
    assert counts == Counter(
        {
            "permissions_skipped.unselected.create-page": 1,  # space 1
            "permissions_skipped.unselected.create-whiteboard": 1,  # space 1
            "permissions_skipped.unknown.update-space": 1,  # space 1
            "permissions_skipped.unselected.administer-space": 1,  # space 2
            "permissions_skipped.unselected.export-space": 1,  # space 4
        }
    )


def test_no_note_when_nothing_is_skipped(site: FakeSite) -> None:
    del site.permissions["1"]
    assert skipped_notes(site) == Counter()


def get_space(site: FakeSite, space_id: str) -> pb.resource.Resource:
    return get_by_id(site, "space", space_id)


def test_get_space_by_id(site: FakeSite) -> None:
    doc = get_space(site, "4")
    assert doc.id.resource == "4" and doc.display_name == "Space DOC"
    assert dict(doc.profile) == {"space_key": "DOC", "space_type": "global", "space_status": "current"}


def test_get_space_the_site_does_not_know_raises_not_found(site: FakeSite) -> None:
    with pytest.raises(ConnectorError) as raised:
        get_space(site, "99")
    assert raised.value.code == grpc.StatusCode.NOT_FOUND


def get_access_class(class_id: str) -> pb.resource.Resource:
    async def scenario(connector: ConfluenceConnector) -> pb.resource.Resource:
        syncer = syncer_of(connector, "access_class")
        assert isinstance(syncer, ResourceGetter)
        assert (await syncer.list(None, "")).items == []  # the site lists no classes
        return await syncer.get(pb.resource.ResourceId(resource_type="access_class", resource=class_id))

    return run_against(FakeSite(), scenario)


@pytest.mark.parametrize(
    ("class_id", "display_name"),
    [
        ("anonymous-users", "Anonymous users"),
        ("anonymous", "Anonymous users"),
        ("all-licensed-users", "All licensed users"),
        ("ALL-PRODUCT-ADMINS", "All product admins"),
        ("a-class-named-later", "a-class-named-later"),  # unknown: named by its id
    ],
)
def test_access_class_display_names(class_id: str, display_name: str) -> None:
    found = get_access_class(class_id)
    assert found.id.resource_type == "access_class" and found.id.resource == class_id
    assert found.display_name == display_name
    assert dict(found.profile) == {"access_class": class_id}
    assert ann.has(found.annotations, pb.trait.GroupTrait)


def test_rbac_mode_spaces_have_children_and_no_permissions(site: FakeSite) -> None:
    output = sync(site, use_rbac=True)
    eng = output.resources["space"][0]
    child = ann.find(eng.annotations, pb.resource_tree.ChildResourceType)
    assert child is not None and child.resource_type_id == "space_role_assignment"
    assert not [e for e in output.entitlements if e.resource.id.resource_type == "space"]
    assert not any("/permissions" in url for url in site.calls)
