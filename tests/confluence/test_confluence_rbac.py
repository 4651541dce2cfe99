"""Space roles (both modes) and RBAC mode: sparse and dense role bindings, and assignment grants."""

from __future__ import annotations

import asyncio
from typing import Any

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.syncer import ResourceSyncer
from baton_confluence.confluence.client import BasicAuth, ConfluenceHTTP
from baton_confluence.confluence.connector import ConfluenceConnector
from baton_confluence.confluence.datacenter import ConfluenceDataCenterAPI
from tests.confluence.conftest import get_by_id, options, run_against
from tests.confluence.driver import SyncOutput, all_pages, run_sync
from tests.confluence.fake_site import BASE, FakeSite


def sync(site: FakeSite, **options: Any) -> SyncOutput:
    async def scenario(connector: ConfluenceConnector) -> SyncOutput:
        return await run_sync(connector)

    return run_against(site, scenario, use_rbac=True, **options)


def test_role_catalogue_in_both_modes_assignments_only_with_rbac(site: FakeSite) -> None:
    async def type_ids(connector: ConfluenceConnector) -> list[str]:
        return [s.resource_type().id for s in connector.syncers()]

    assert run_against(site, type_ids) == ["user", "group", "space", "space_role", "access_class", "site"]
    assert run_against(site, type_ids, use_rbac=True) == [
        "user",
        "group",
        "space",
        "space_role",
        "space_role_assignment",
        "access_class",
        "site",
    ]
    assert not site.calls  # registering types asks the site nothing


def test_data_center_has_no_space_roles() -> None:
    """Data Center has no space roles: neither the catalogue nor assignments are registered."""

    async def type_ids() -> list[str]:
        http = ConfluenceHTTP(BASE, auth=BasicAuth("admin", "secret"), max_attempts=1)
        connector = ConfluenceConnector(options(), ConfluenceDataCenterAPI(http), owns_client=True)
        try:
            return [s.resource_type().id for s in connector.syncers()]
        finally:
            await connector.close()

    assert asyncio.run(type_ids()) == ["user", "group", "space", "access_class", "site"]


def test_space_roles_listed_without_rbac(site: FakeSite) -> None:
    async def scenario(connector: ConfluenceConnector) -> SyncOutput:
        return await run_sync(connector)

    output = run_against(site, scenario)
    assert sorted(output.ids("space_role")) == sorted(r["id"] for r in site.roles or [])
    assert not output.resources["space_role_assignment"]
    assert not any("role-assignments" in url for url in site.calls)


def test_space_roles_unavailable_without_rbac_is_an_empty_listing(site: FakeSite) -> None:
    site.roles = None  # the role endpoints answer 404 (roles off on this site)

    async def scenario(connector: ConfluenceConnector) -> SyncOutput:
        return await run_sync(connector)

    output = run_against(site, scenario)
    assert output.ids("space_role") == []
    assert sorted(output.ids("space")) == ["1", "2", "3", "4"]


def get_role(site: FakeSite, role_id: str) -> pb.resource.Resource:
    return get_by_id(site, "space_role", role_id)


def test_get_role_from_the_catalogue(site: FakeSite) -> None:
    role = get_role(site, "r-viewer")
    assert role.display_name == "Viewer" and role.description == "Reads"
    assert ann.has(role.annotations, pb.trait.RoleTrait)
    assert role.status.status != pb.resource.Status.RESOURCE_STATUS_DELETED


def test_get_role_absent_from_the_catalogue_is_deleted(site: FakeSite) -> None:
    """A grant can name a role removed since: the role is kept, marked deleted."""
    role = get_role(site, "r-removed")
    assert role.id.resource_type == "space_role" and role.id.resource == "r-removed"
    assert role.status.status == pb.resource.Status.RESOURCE_STATUS_DELETED
    assert ann.has(role.annotations, pb.trait.RoleTrait)


def test_resource_types_as_upstream(site: FakeSite) -> None:
    async def types(connector: ConfluenceConnector) -> dict[str, pb.resource.ResourceType]:
        return {s.resource_type().id: s.resource_type() for s in connector.syncers()}

    found = run_against(site, types, use_rbac=True)
    role, binding, user = found["space_role"], found["space_role_assignment"], found["user"]
    assert role.display_name == "Space Role" and list(role.traits) == [pb.resource.ResourceType.TRAIT_ROLE]
    assert ann.has(role.annotations, pb.resource_tree.SkipEntitlementsAndGrants)
    assert ann.has(role.annotations, pb.connector.OptInRequired)
    assert list(binding.traits) == [pb.resource.ResourceType.TRAIT_SCOPE_BINDING]
    assert ann.has(binding.annotations, pb.resource_tree.SkipEntitlements)
    assert ann.has(binding.annotations, pb.connector.OptInRequired)
    assert ann.has(user.annotations, pb.resource_tree.SkipEntitlementsAndGrants)
    assert found["space"].display_name == "Space" and list(found["space"].traits) == []


def test_space_roles(site: FakeSite) -> None:
    roles = {r.id.resource: r for r in sync(site).resources["space_role"]}
    assert sorted(roles) == ["r-admin", "r-editor", "r-viewer"]
    admin = roles["r-admin"]
    assert admin.display_name == "Admin" and admin.description == "Runs the space"
    assert admin.profile["description"] == "Runs the space"
    assert list(admin.profile["space_permissions"]) == ["read/space"]
    assert ann.has(admin.annotations, pb.trait.RoleTrait)


def test_sparse_bindings_only_for_held_roles(site: FakeSite) -> None:
    bindings = {b.id.resource: b for b in sync(site).resources["space_role_assignment"]}
    assert sorted(bindings) == ["1:r-admin", "1:r-viewer", "4:r-admin"]
    binding = bindings["1:r-viewer"]
    assert binding.display_name == "Viewer on Space ENG"
    assert binding.parent_resource_id.resource_type == "space" and binding.parent_resource_id.resource == "1"
    trait = ann.find(binding.annotations, pb.trait.ScopeBindingTrait)
    assert trait is not None
    assert (trait.role_id.resource_type, trait.role_id.resource) == ("space_role", "r-viewer")
    assert (trait.scope_resource_id.resource_type, trait.scope_resource_id.resource) == ("space", "1")


def test_dense_bindings_for_every_space_and_role(site: FakeSite) -> None:
    output = sync(site, dense_role_bindings=True)
    assert len(output.resources["space_role_assignment"]) == 4 * 3
    assert "space_role_assignment:2:r-editor:assigned" in output.entitlement_ids()


def test_assigned_entitlement_and_grants(site: FakeSite) -> None:
    output = sync(site)
    assigned = next(e for e in output.entitlements if e.id == "space_role_assignment:1:r-viewer:assigned")
    assert assigned.slug == "assigned"
    assert assigned.purpose == pb.entitlement.Entitlement.PurposeValue.PURPOSE_VALUE_ASSIGNMENT
    assert [t.id for t in assigned.grantable_to] == ["user", "group"]
    grants = {g.id: g for g in output.grants if g.entitlement.resource.id.resource_type == "space_role_assignment"}
    assert sorted(grants) == [
        "space_role_assignment:1:r-admin:assigned:user:alice",
        "space_role_assignment:1:r-viewer:assigned:access_class:anonymous-users",
        "space_role_assignment:1:r-viewer:assigned:group:g1",
        "space_role_assignment:1:r-viewer:assigned:user:bot",  # an app account
        "space_role_assignment:4:r-admin:assigned:group:g2",
    ]
    anonymous = grants["space_role_assignment:1:r-viewer:assigned:access_class:anonymous-users"]
    assert (anonymous.principal.id.resource_type, anonymous.principal.id.resource) == (
        "access_class",
        "anonymous-users",
    )
    assert not ann.has(anonymous.annotations, pb.grant_annotations.GrantExpandable)
    expandable = ann.find(
        grants["space_role_assignment:4:r-admin:assigned:group:g2"].annotations, pb.grant_annotations.GrantExpandable
    )
    assert expandable is not None and list(expandable.entitlement_ids) == ["group:g2:member"]


def test_assignments_fetched_once_per_space(site: FakeSite) -> None:
    sync(site, dense_role_bindings=True)
    assignment_calls = {url: n for url, n in site.calls.items() if "role-assignments" in url}
    assert {url.split("/")[5] for url in assignment_calls} == {"1", "2", "3", "4"}
    assert all(n == 1 for n in assignment_calls.values())
    assert all("role-id" not in url for url in assignment_calls)  # grants read the collected holders
    assert not any(url.startswith("/wiki/api/v2/spaces/1?") for url in site.calls)  # names come from the listing


async def grants_of(syncer: ResourceSyncer, resource: pb.resource.Resource) -> list[pb.grant.Grant]:
    return await all_pages(lambda token: syncer.grants(resource, token))


def test_grants_fall_back_to_the_api_after_a_restart(site: FakeSite) -> None:
    """A binding whose holders this process never collected reads them with a role filter."""

    async def scenario(connector: ConfluenceConnector) -> list[str]:
        spaces = await all_pages(lambda t: connector.syncers()[2].list(None, t))
        syncer = connector.syncers()[4]
        bindings = await all_pages(lambda t: syncer.list(spaces[0].id, t))
        connector.ctx.reset()  # as if the process restarted after listing
        grants: list[pb.grant.Grant] = []
        for binding in bindings:
            grants += await grants_of(syncer, binding)
        return sorted(g.id for g in grants)

    site.page_size = 1
    ids = run_against(site, scenario, use_rbac=True)
    assert "space_role_assignment:1:r-viewer:assigned:group:g1" in ids
    assert "space_role_assignment:1:r-viewer:assigned:user:bot" in ids  # unknown without a user listing
    assert any("role-id=r-viewer" in url for url in site.calls)


def test_binding_listing_without_space_parent_is_empty(site: FakeSite) -> None:
    async def scenario(connector: ConfluenceConnector) -> int:
        syncer = connector.syncers()[4]
        top = await syncer.list(None, "")
        group_parent = await syncer.list(pb.resource.ResourceId(resource_type="group", resource="g1"), "")
        roles = await connector.syncers()[3].list(pb.resource.ResourceId(resource_type="space", resource="1"), "")
        return len(top.items) + len(group_parent.items) + len(roles.items)

    assert run_against(site, scenario, use_rbac=True) == 0
    assert not site.calls
