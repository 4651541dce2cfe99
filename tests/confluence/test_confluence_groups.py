"""Groups: resources, the member entitlement, membership grants to every member, lookup by id."""

from __future__ import annotations

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.confluence.connector import ConfluenceConnector
from tests.confluence.conftest import get_by_id, run_against
from tests.confluence.driver import SyncOutput, run_sync
from tests.confluence.fake_site import FakeSite


def sync(site: FakeSite) -> SyncOutput:
    async def scenario(connector: ConfluenceConnector) -> SyncOutput:
        return await run_sync(connector)

    return run_against(site, scenario)


def test_group_resources_as_upstream(site: FakeSite) -> None:
    groups = {g.id.resource: g for g in sync(site).resources["group"]}
    assert sorted(groups) == ["g1", "g2", "g3"]
    g1 = groups["g1"]
    assert g1.display_name == "engineering"
    assert dict(g1.profile) == {"group_id": "g1", "group_name": "engineering", "group_type": "group"}
    assert ann.has(g1.annotations, pb.trait.GroupTrait)


def test_member_entitlement(site: FakeSite) -> None:
    entitlement = next(e for e in sync(site).entitlements if e.id == "group:g1:member")
    assert entitlement.display_name == "engineering Group Member"
    assert entitlement.description == "Is member of the engineering group in Confluence"
    assert entitlement.slug == "member"
    assert entitlement.purpose == pb.entitlement.Entitlement.PurposeValue.PURPOSE_VALUE_ASSIGNMENT
    assert [t.id for t in entitlement.grantable_to] == ["user"]
    assert entitlement.resource.id.resource == "g1"


def test_membership_grants_to_every_member(site: FakeSite) -> None:
    """Every member gets a grant, whatever its account type (the app account in g1 included)."""
    grants = [g for g in sync(site).grants if g.entitlement.resource.id.resource_type == "group"]
    ids = sorted(g.id for g in grants)
    assert ids == sorted(
        f"group:{group_id}:member:user:{member['accountId']}"
        for group_id, members in site.members.items()
        for member in members
    )
    assert "group:g1:member:user:bot" in ids  # an app account, granted like anyone else
    grant = next(g for g in grants if g.id == "group:g1:member:user:alice")
    assert grant.principal.id.resource_type == "user" and grant.principal.id.resource == "alice"
    assert grant.entitlement.id == "group:g1:member"
    assert not ann.has(grant.annotations, pb.grant_annotations.GrantExpandable)


def get_group(site: FakeSite, group_id: str) -> pb.resource.Resource:
    return get_by_id(site, "group", group_id)


def test_get_group_found_by_id(site: FakeSite) -> None:
    group = get_group(site, "g2")
    assert group.id.resource_type == "group" and group.id.resource == "g2"
    assert group.display_name == "admins"
    assert dict(group.profile) == {"group_id": "g2", "group_name": "admins", "group_type": "group"}
    assert group.status.status != pb.resource.Status.RESOURCE_STATUS_DELETED
    assert site.calls["/wiki/rest/api/group/by-id?id=g2"] == 1


def test_get_group_the_site_does_not_know_is_deleted(site: FakeSite) -> None:
    """A role assignment can outlive its group: the principal is kept, marked deleted."""
    group = get_group(site, "g-removed")
    assert group.id.resource_type == "group" and group.id.resource == "g-removed"
    assert group.status.status == pb.resource.Status.RESOURCE_STATUS_DELETED
    assert ann.has(group.annotations, pb.trait.GroupTrait)
