"""Space role assignments (RBAC) through the real gRPC server: one role per principal per space."""

from __future__ import annotations

import grpc
import pytest
from confluence_simulator import SimulatedSite, SiteState

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.sync.client import ConnectorClient
from tests.confluence.provisioning.support import (
    EXISTS,
    REVOKED,
    grant,
    has,
    humans,
    principal,
    refused,
    revoke,
    role_entitlement,
    role_holders,
    snapshot,
    visible_spaces,
    warning,
    with_client,
)

_API_TYPES = {"user": "USER", "group": "GROUP"}


def role_named(state: SiteState, name: str) -> str:
    return next(role.id for role in state.roles if role.name == name)


def without_role(state: SiteState, space_id: int, kind: str) -> str:
    holders = role_holders(state, space_id, _API_TYPES[kind])
    pool = humans(state) if kind == "user" else sorted(state.groups)
    return next(pid for pid in pool if pid not in holders)


@pytest.mark.parametrize("kind", ["user", "group"])
def test_assign_and_unassign_a_role_idempotently(rbac_site: SimulatedSite, kind: str) -> None:
    state = rbac_site.state
    space_id = visible_spaces(state)[0]
    principal_id = without_role(state, space_id, kind)
    viewer = role_named(state, "Viewer")
    entitlement, who = role_entitlement(state, space_id, viewer), principal(kind, principal_id)

    def role() -> str | None:
        return role_holders(state, space_id, _API_TYPES[kind]).get(principal_id)

    async def scenario(client: ConnectorClient) -> None:
        granted = await grant(client, entitlement, who)
        assert role() == viewer and not has(granted, EXISTS) and not warning(granted)
        assert [g.id for g in granted.grants] == [f"{entitlement.id}:{kind}:{principal_id}"]
        if kind == "group":  # members inherit it, as in a sync
            assert ann.has(list(granted.grants[0].annotations), pb.grant_annotations.GrantExpandable)
        again = await grant(client, entitlement, who)
        assert has(again, EXISTS) and role() == viewer
        revoked = await revoke(client, granted.grants[0])
        assert role() is None and not has(revoked, REVOKED)
        assert has(await revoke(client, granted.grants[0]), REVOKED)

    with_client(rbac_site, scenario, use_rbac=True)


def test_a_new_role_replaces_the_old_one_and_says_so(rbac_site: SimulatedSite) -> None:
    state = rbac_site.state
    space_id = visible_spaces(state)[0]
    principal_id = without_role(state, space_id, "user")
    admin, viewer = role_named(state, "Admin"), role_named(state, "Viewer")
    who = principal("user", principal_id)

    def role() -> str | None:
        return role_holders(state, space_id, "USER").get(principal_id)

    async def scenario(client: ConnectorClient) -> None:
        old = await grant(client, role_entitlement(state, space_id, viewer), who)
        new = await grant(client, role_entitlement(state, space_id, admin), who)
        assert role() == admin
        assert "replaced" in warning(new) and old.grants[0].id in warning(new)
        metadata = ann.find(list(new.annotations), pb.grant_annotations.GrantMetadata)
        assert metadata is not None
        assert list(metadata.metadata.fields["affected_grants"].list_value) == [old.grants[0].id]
        # The old grant is gone: revoking it must not remove the new role.
        assert has(await revoke(client, old.grants[0]), REVOKED) and role() == admin
        await revoke(client, new.grants[0])
        assert role() is None

    with_client(rbac_site, scenario, use_rbac=True)


def test_bad_role_requests_change_nothing(rbac_site: SimulatedSite) -> None:
    state = rbac_site.state
    space_id = visible_spaces(state)[0]
    account = without_role(state, space_id, "user")
    before = snapshot(state)

    async def scenario(client: ConnectorClient) -> None:
        viewer = role_entitlement(state, space_id, role_named(state, "Viewer"))
        err = await refused(grant(client, viewer, principal("space", str(space_id))))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and "must be a user or a group" in err.details()
        unknown = role_entitlement(state, space_id, role_named(state, "Viewer"))
        unknown.id = f"space_role_assignment:{space_id}:no-such-role:assigned"
        unknown.resource.id.resource = f"{space_id}:no-such-role"
        unknown.resource.ClearField("annotations")
        err = await refused(grant(client, unknown, principal("user", account)))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and unknown.id in err.details()

    with_client(rbac_site, scenario, use_rbac=True)
    assert snapshot(state) == before
