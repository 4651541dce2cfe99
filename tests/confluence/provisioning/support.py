"""Provisioning against a simulated site through the real gRPC server: connectors, requests, state.

Entitlements and principals are built with the syncers' own builders, so a request looks like
what C1 sends after a sync (full entitlement resource, space profile with its key).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
import pytest
from confluence_simulator import SimulatedSite, SiteSpec, SiteState
from confluence_simulator.state import PRINCIPAL_GROUP, PRINCIPAL_USER

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.runner.local_sync import served
from baton_confluence.baton.sync.client import ConnectorClient
from baton_confluence.confluence.client import BasicAuth, ConfluenceCloudAPI, ConfluenceHTTP, Group, Space
from baton_confluence.confluence.connector import ConfluenceConnector
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.permissions import KNOWN_NOUNS, KNOWN_VERBS, PermissionCatalog
from baton_confluence.confluence.provisioning.outcome import warning_of
from baton_confluence.confluence.syncers.groups import group_resource, member_entitlement
from baton_confluence.confluence.syncers.space_permissions import permission_entitlements
from baton_confluence.confluence.syncers.space_role_assignments import binding_resource
from baton_confluence.confluence.syncers.spaces import space_resource
from tests.confluence.driver import run_sync

T = TypeVar("T")

SPEC = SiteSpec(seed=11, users=14, groups=6, spaces=5, permissions_per_space=8, app_accounts=1, guest_accounts=1)
RBAC_SPEC = SiteSpec(
    seed=12,
    users=14,
    groups=6,
    spaces=4,
    permissions_per_space=6,
    app_accounts=1,
    guest_accounts=1,
    rbac_enabled=True,
    custom_roles=1,
)

# Every valid pair, so that any valid slug can be requested whatever the connector selects
# (`update` pairs with nothing and would only log a warning).
_ALL_PAIRS = PermissionCatalog.select(KNOWN_NOUNS, [v for v in KNOWN_VERBS if v != "update"])

EXISTS = pb.grant_annotations.GrantAlreadyExists
REVOKED = pb.grant_annotations.GrantAlreadyRevoked


def connector_for(site: SimulatedSite, **options: Any) -> ConfluenceConnector:
    http = ConfluenceHTTP(site.url, auth=BasicAuth(site.spec.username, site.spec.api_token), max_attempts=2)
    settings = ConfluenceOptions(domain_url=site.url, **options)
    return ConfluenceConnector(settings, ConfluenceCloudAPI(http), owns_client=True)


def with_client(
    site: SimulatedSite,
    scenario: Callable[[ConnectorClient], Awaitable[T]],
    *,
    provisioning: bool = True,
    **options: Any,
) -> T:
    """Run `scenario(client)` against the connector served over real gRPC."""

    async def go() -> T:
        connector = connector_for(site, **options)
        try:
            async with served(connector, provisioning=provisioning) as client:
                return await scenario(client)
        finally:
            await connector.close()

    return asyncio.run(go())


def with_synced_client(site: SimulatedSite, scenario: Callable[[ConnectorClient], Awaitable[T]]) -> T:
    """Like `with_client`, after a sync whose per-sync cache was not cleaned up: the state a
    connector is in between a sync and a Grant in service mode."""

    async def go() -> T:
        connector = connector_for(site)
        try:
            await run_sync(connector, cleanup=False)
            async with served(connector, provisioning=True) as client:
                return await scenario(client)
        finally:
            await connector.close()

    return asyncio.run(go())


async def grant(client: ConnectorClient, entitlement: Any, principal: Any) -> Any:
    request = pb.grant.GrantManagerServiceGrantRequest(entitlement=entitlement, principal=principal)
    return await client.grant_manager.Grant(request)


async def revoke(client: ConnectorClient, granted: Any) -> Any:
    return await client.grant_manager.Revoke(pb.grant.GrantManagerServiceRevokeRequest(grant=granted))


async def refused(call: Awaitable[Any]) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


def has(response: Any, kind: Any) -> bool:
    return ann.has(list(response.annotations), kind)


def warning(response: Any) -> str:
    return warning_of(list(response.annotations))


# --- requests ------------------------------------------------------------------------------------


def principal(resource_type: str, resource_id: str) -> pb.resource.Resource:
    return pb.resource.Resource(id=pb.resource.ResourceId(resource_type=resource_type, resource=resource_id))


def member_of(state: SiteState, group_id: str) -> pb.entitlement.Entitlement:
    group = state.groups[group_id]
    return member_entitlement(group_resource(Group(id=group.id, name=group.name, type="group")))


def space_entitlement(state: SiteState, space_id: int, slug: str, *, with_profile: bool = True) -> Any:
    space = state.spaces[space_id]
    record = Space(id=str(space.id), key=space.key, name=space.name, type=space.type, status=space.status)
    resource = space_resource(record, rbac=False)
    if not with_profile:
        resource.ClearField("profile")
    for entitlement in permission_entitlements(resource, _ALL_PAIRS):
        if entitlement.slug == slug:
            return entitlement
    # Not a valid pair: shaped like ours all the same, as a foreign caller could send it.
    return pb.entitlement.Entitlement(id=f"space:{space.id}:{slug}", resource=resource, slug=slug)


def role_entitlement(state: SiteState, space_id: int, role_id: str) -> pb.entitlement.Entitlement:
    space = state.spaces[space_id]
    space_ref = pb.resource.ResourceId(resource_type="space", resource=str(space_id))
    binding = binding_resource(space_ref, role_id, state.roles_by_id[role_id].name, space.name)
    return pb.entitlement.Entitlement(
        id=f"space_role_assignment:{space_id}:{role_id}:assigned", resource=binding, slug="assigned"
    )


# --- the site ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    members: dict[str, tuple[str, ...]]
    permissions: dict[int, frozenset[tuple[str, str, str, str]]]
    roles: dict[int, dict[tuple[str, str], str]]


def snapshot(state: SiteState) -> Snapshot:
    return Snapshot(
        {gid: tuple(state.group_members(gid)) for gid in state.groups},
        {sid: frozenset(_perm_rows(state, sid)) for sid in state.spaces},
        {sid: state.space_role_assignments(sid) for sid in state.spaces},
    )


def _perm_rows(state: SiteState, space_id: int) -> list[tuple[str, str, str, str]]:
    return [(p.principal_type, p.principal_id, p.key, p.target) for p in state.space_permissions(space_id)]


def held(state: SiteState, space_id: int, subject: tuple[str, str]) -> list[tuple[str, str]]:
    """The (verb, noun) pairs a subject holds in a space, duplicates included."""
    return [(p.key, p.target) for p in state.space_permissions(space_id) if p.subject == subject]


def role_holders(state: SiteState, space_id: int, principal_type: str) -> dict[str, str]:
    """Principal id -> role id, for the USER or GROUP principals holding a role in the space."""
    return {pid: role for (kind, pid), role in state.space_role_assignments(space_id).items() if kind == principal_type}


def humans(state: SiteState) -> list[str]:
    """Account ids the user listing emits (atlassian accounts), in a stable order."""
    return sorted(u.account_id for u in state.users.values() if u.account_type == "atlassian")


def visible_spaces(state: SiteState) -> list[int]:
    return sorted(s.id for s in state.spaces.values() if not s.hidden)


def bare_user(state: SiteState, space_id: int) -> str:
    """A human with no permission at all in the space."""
    return next(u for u in humans(state) if not held(state, space_id, (PRINCIPAL_USER, u)))


def bare_group(state: SiteState, space_id: int) -> str:
    return next(g for g in sorted(state.groups) if not held(state, space_id, (PRINCIPAL_GROUP, g)))


def outsider(state: SiteState) -> tuple[str, str]:
    """(group id, account id) of a human who is not a member of that group."""
    for gid in sorted(state.groups):
        members = set(state.group_members(gid))
        for account in humans(state):
            if account not in members:
                return gid, account
    raise AssertionError("every human is in every group")
