"""Groups: resources, the member entitlement and membership grants to human members."""

from __future__ import annotations

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.confluence.connector import ConfluenceConnector
from tests.confluence.conftest import run_against
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


def test_membership_grants_to_humans_only(site: FakeSite) -> None:
    grants = [g for g in sync(site).grants if g.entitlement.resource.id.resource_type == "group"]
    ids = sorted(g.id for g in grants)
    assert ids == sorted(
        [
            "group:g1:member:user:alice",
            "group:g1:member:user:bob",  # the bot in g1 gets no grant
            "group:g2:member:user:alice",
            "group:g2:member:user:dave",
            "group:g3:member:user:alice",
            "group:g3:member:user:bob",
            "group:g3:member:user:carol",
            "group:g3:member:user:dave",
        ]
    )
    grant = next(g for g in grants if g.id == "group:g1:member:user:alice")
    assert grant.principal.id.resource_type == "user" and grant.principal.id.resource == "alice"
    assert grant.entitlement.id == "group:g1:member"
    assert not ann.has(grant.annotations, pb.grant_annotations.GrantExpandable)
