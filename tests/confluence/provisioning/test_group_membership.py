"""Group membership through the real gRPC server: idempotent grant/revoke, fresh reads, bad requests."""

from __future__ import annotations

import grpc
from confluence_simulator import SimulatedSite

from baton_confluence.baton.sync.client import ConnectorClient
from tests.confluence.provisioning.support import (
    EXISTS,
    REVOKED,
    grant,
    has,
    member_of,
    outsider,
    principal,
    refused,
    revoke,
    snapshot,
    with_client,
    with_synced_client,
)


def test_grant_and_revoke_membership_idempotently(site: SimulatedSite) -> None:
    group_id, account = outsider(site.state)
    entitlement, user = member_of(site.state, group_id), principal("user", account)

    def count() -> int:
        return site.state.group_members(group_id).count(account)

    async def scenario(client: ConnectorClient) -> None:
        granted = await grant(client, entitlement, user)
        assert count() == 1 and not has(granted, EXISTS)
        assert [g.id for g in granted.grants] == [f"group:{group_id}:member:user:{account}"]
        again = await grant(client, entitlement, user)
        assert has(again, EXISTS) and count() == 1
        assert [g.id for g in again.grants] == [granted.grants[0].id]
        revoked = await revoke(client, granted.grants[0])
        assert count() == 0 and not has(revoked, REVOKED)
        assert has(await revoke(client, granted.grants[0]), REVOKED) and count() == 0

    with_client(site, scenario)


def test_existence_checks_bypass_the_sync_cache(site: SimulatedSite) -> None:
    """A sync leaves member pages cached; a change on the site afterwards must still be seen."""
    group_id, account = outsider(site.state)
    entitlement, user = member_of(site.state, group_id), principal("user", account)

    async def scenario(client: ConnectorClient) -> None:
        site.state.add_group_member(group_id, account)  # added behind the connector's back
        assert has(await grant(client, entitlement, user), EXISTS)
        site.state.remove_group_member(group_id, account)
        granted = await grant(client, entitlement, user)
        assert not has(granted, EXISTS) and account in site.state.group_members(group_id)

    with_synced_client(site, scenario)


def test_only_users_can_be_members(site: SimulatedSite) -> None:
    group_id, _ = outsider(site.state)
    other_group = next(g for g in sorted(site.state.groups) if g != group_id)
    before = snapshot(site.state)

    async def scenario(client: ConnectorClient) -> None:
        err = await refused(grant(client, member_of(site.state, group_id), principal("group", other_group)))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert f"group:{group_id}:member" in err.details() and f"group:{other_group}" in err.details()
        assert "must be a user" in err.details()

    with_client(site, scenario)
    assert snapshot(site.state) == before


def test_unknown_group_is_not_found_and_names_the_entitlement(site: SimulatedSite) -> None:
    _, account = outsider(site.state)
    entitlement = member_of(site.state, next(iter(site.state.groups)))
    entitlement.id = "group:no-such-group:member"
    entitlement.resource.id.resource = "no-such-group"
    before = snapshot(site.state)

    async def scenario(client: ConnectorClient) -> None:
        err = await refused(grant(client, entitlement, principal("user", account)))
        assert err.code() == grpc.StatusCode.NOT_FOUND
        assert err.details().startswith(f"baton-confluence: grant group:no-such-group:member to user:{account}: ")
        assert "no longer exists" in err.details()

    with_client(site, scenario)
    assert snapshot(site.state) == before


def test_entitlement_that_disagrees_with_its_resource_is_refused(site: SimulatedSite) -> None:
    group_id, account = outsider(site.state)
    entitlement = member_of(site.state, group_id)
    entitlement.id = "group:someone-else:member"
    mangled = member_of(site.state, group_id)
    mangled.id = f"group:{group_id}:owner"
    before = snapshot(site.state)

    async def scenario(client: ConnectorClient) -> None:
        for bad in (entitlement, mangled):
            err = await refused(grant(client, bad, principal("user", account)))
            assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, err.details()
            assert bad.id in err.details()

    with_client(site, scenario)
    assert snapshot(site.state) == before


def test_provisioning_is_refused_unless_enabled(site: SimulatedSite) -> None:
    group_id, account = outsider(site.state)
    before = snapshot(site.state)

    async def scenario(client: ConnectorClient) -> None:
        err = await refused(grant(client, member_of(site.state, group_id), principal("user", account)))
        assert err.code() == grpc.StatusCode.FAILED_PRECONDITION

    with_client(site, scenario, provisioning=False)
    assert snapshot(site.state) == before


def test_membership_is_read_from_the_users_groups(site: SimulatedSite) -> None:
    """On Cloud the existence check costs the user's few groups, never a walk of the group."""
    group_id, account = outsider(site.state)
    entitlement, user = member_of(site.state, group_id), principal("user", account)
    site.reset_stats()

    async def scenario(client: ConnectorClient) -> None:
        await grant(client, entitlement, user)

    with_client(site, scenario)
    stats = site.stats.snapshot()
    assert stats.count("GET", "/wiki/rest/api/user/memberof?") >= 1
    assert stats.count("GET", f"/wiki/rest/api/group/{group_id}/membersByGroupId") == 0
