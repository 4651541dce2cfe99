"""Space permissions through the real gRPC server: users and groups, the read-space rules, errors."""

from __future__ import annotations

from dataclasses import replace

import grpc
import pytest
from confluence_simulator import SimulatedSite
from confluence_simulator.spec import FAMILY_SPACE_PERMISSION_WRITE
from confluence_simulator.state import PRINCIPAL_GROUP, PRINCIPAL_USER

from baton_confluence.baton.sync.client import ConnectorClient
from tests.confluence.provisioning.support import (
    EXISTS,
    REVOKED,
    SPEC,
    bare_group,
    bare_user,
    grant,
    has,
    held,
    principal,
    refused,
    revoke,
    snapshot,
    space_entitlement,
    visible_spaces,
    warning,
    with_client,
)

_SUBJECTS = {"user": (PRINCIPAL_USER, bare_user), "group": (PRINCIPAL_GROUP, bare_group)}


@pytest.mark.parametrize("kind", ["user", "group"])
def test_grant_and_revoke_read_space_idempotently(site: SimulatedSite, kind: str) -> None:
    state = site.state
    space_id = visible_spaces(state)[0]
    principal_type, pick = _SUBJECTS[kind]
    subject = (principal_type, pick(state, space_id))
    entitlement = space_entitlement(state, space_id, "read-space")

    async def scenario(client: ConnectorClient) -> None:
        granted = await grant(client, entitlement, principal(kind, subject[1]))
        assert held(state, space_id, subject) == [("read", "space")] and not has(granted, EXISTS)
        assert [g.id for g in granted.grants] == [f"space:{space_id}:read-space:{kind}:{subject[1]}"]
        again = await grant(client, entitlement, principal(kind, subject[1]))
        assert has(again, EXISTS) and held(state, space_id, subject) == [("read", "space")]
        revoked = await revoke(client, granted.grants[0])
        assert held(state, space_id, subject) == [] and not has(revoked, REVOKED)
        assert has(await revoke(client, granted.grants[0]), REVOKED)

    with_client(site, scenario)


def test_space_key_is_looked_up_when_the_profile_lacks_it(site: SimulatedSite) -> None:
    state = site.state
    space_id = visible_spaces(state)[1]
    account = bare_user(state, space_id)
    entitlement = space_entitlement(state, space_id, "read-space", with_profile=False)

    async def scenario(client: ConnectorClient) -> None:
        granted = await grant(client, entitlement, principal("user", account))
        assert held(state, space_id, (PRINCIPAL_USER, account)) == [("read", "space")]
        await revoke(client, granted.grants[0])
        assert held(state, space_id, (PRINCIPAL_USER, account)) == []

    with_client(site, scenario)


def test_revoking_read_space_cascades_and_says_so(site: SimulatedSite) -> None:
    state = site.state
    space_id = visible_spaces(state)[0]
    account = bare_user(state, space_id)
    key = state.spaces[space_id].key
    user = principal("user", account)

    async def scenario(client: ConnectorClient) -> None:
        read = await grant(client, space_entitlement(state, space_id, "read-space"), user)
        page = await grant(client, space_entitlement(state, space_id, "create-page"), user)
        await grant(client, space_entitlement(state, space_id, "export-space"), user)
        assert len(held(state, space_id, (PRINCIPAL_USER, account))) == 3
        revoked = await revoke(client, read.grants[0])
        assert held(state, space_id, (PRINCIPAL_USER, account)) == []
        assert "removed every permission" in warning(revoked) and key in warning(revoked)
        # The other grants went with it: revoking one now reports it already gone.
        assert has(await revoke(client, page.grants[0]), REVOKED)

    with_client(site, scenario)


def test_other_permissions_need_read_space_first(site: SimulatedSite) -> None:
    state = site.state
    space_id = visible_spaces(state)[0]
    group_id = bare_group(state, space_id)
    before = snapshot(state)

    async def scenario(client: ConnectorClient) -> None:
        err = await refused(
            grant(client, space_entitlement(state, space_id, "create-page"), principal("group", group_id))
        )
        assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert f"grant space:{space_id}:read-space first" in err.details()
        assert f"space:{space_id}:create-page" in err.details() and f"group:{group_id}" in err.details()

    with_client(site, scenario)
    assert snapshot(state) == before


@pytest.mark.parametrize("slug", ["update-space", "read-page", "frobnicate"])
def test_invalid_permission_pairs_are_refused(site: SimulatedSite, slug: str) -> None:
    state = site.state
    space_id = visible_spaces(state)[0]
    account = bare_user(state, space_id)
    before = snapshot(state)

    async def scenario(client: ConnectorClient) -> None:
        err = await refused(grant(client, space_entitlement(state, space_id, slug), principal("user", account)))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert f"space:{space_id}:{slug}" in err.details() and "not a Confluence space permission" in err.details()

    with_client(site, scenario)
    assert snapshot(state) == before


def test_pairs_outside_the_noun_verb_selection_are_refused(site: SimulatedSite) -> None:
    state = site.state
    space_id = visible_spaces(state)[0]
    before = snapshot(state)

    async def scenario(client: ConnectorClient) -> None:
        entitlement = space_entitlement(state, space_id, "export-space")
        err = await refused(grant(client, entitlement, principal("user", bare_user(state, space_id))))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and "--noun/--verb" in err.details()

    with_client(site, scenario, nouns=("space",), verbs=("read",))
    assert snapshot(state) == before


def test_rbac_mode_refuses_space_permissions(site: SimulatedSite) -> None:
    state = site.state
    space_id = visible_spaces(state)[0]

    async def scenario(client: ConnectorClient) -> None:
        entitlement = space_entitlement(state, space_id, "read-space")
        err = await refused(grant(client, entitlement, principal("user", bare_user(state, space_id))))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and "RBAC" in err.details()

    before = snapshot(state)
    with_client(site, scenario, use_rbac=True)
    assert snapshot(state) == before


def test_missing_space_admin_is_permission_denied() -> None:
    with SimulatedSite(replace(SPEC, denied=frozenset({FAMILY_SPACE_PERMISSION_WRITE}))) as site:
        state = site.state
        space_id = visible_spaces(state)[0]
        key = state.spaces[space_id].key
        before = snapshot(state)

        async def scenario(client: ConnectorClient) -> None:
            entitlement = space_entitlement(state, space_id, "read-space")
            err = await refused(grant(client, entitlement, principal("user", bare_user(state, space_id))))
            assert err.code() == grpc.StatusCode.PERMISSION_DENIED
            assert f"needs the Admin permission in space {key}" in err.details()

        with_client(site, scenario)
        assert snapshot(state) == before


def test_unknown_space_is_not_found(site: SimulatedSite) -> None:
    state = site.state
    space_id = visible_spaces(state)[0]
    entitlement = space_entitlement(state, space_id, "read-space")
    entitlement.id, entitlement.resource.id.resource = "space:999999999:read-space", "999999999"
    before = snapshot(state)

    async def scenario(client: ConnectorClient) -> None:
        err = await refused(grant(client, entitlement, principal("user", bare_user(state, space_id))))
        assert err.code() == grpc.StatusCode.NOT_FOUND
        assert "space:999999999:read-space" in err.details() and "space 999999999 does not exist" in err.details()

    with_client(site, scenario)
    assert snapshot(state) == before
