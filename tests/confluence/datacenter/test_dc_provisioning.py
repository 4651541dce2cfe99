"""Provisioning on Data Center: the shared provisioners over the DC adapter's write methods.

Group membership: `PUT|DELETE /rest/api/user/{username}/group/{groupName}` (username looked up
from the user key). Space permissions (9.1+): `PUT .../permissions/{user|group}/{id}/grant|revoke`.
Each case goes through a synced c1z and the gRPC grant manager, as the one-shot CLI does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from confluence_simulator import SimulatedSite, SiteSpec, datacenter_flavor
from confluence_simulator.dc_directory import Directory

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.runner.local_sync import sync_to_file
from baton_confluence.baton.runner.provision import already, grant_from_file, revoke_from_file
from baton_confluence.confluence.builder import build_connector
from baton_confluence.confluence.settings import ConfluenceSettings
from tests.confluence.datacenter.dc_expected import PAT

SPEC = SiteSpec(seed=21, users=20, groups=6, spaces=5, permissions_per_space=6, personal_access_token=PAT)


@pytest.fixture(scope="module")
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC, flavor=datacenter_flavor()) as running:
        yield running


@pytest.fixture(scope="module")
def c1z(site: SimulatedSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dc") / "sync.c1z"
    resync(site, path)
    return path


def resync(site: SimulatedSite, path: Path) -> None:
    """Revokes read the grant from the c1z, so a grant made in a test must be synced first."""
    connector = build_connector(settings(site))
    asyncio.run(sync_to_file(connector, path))


def settings(site: SimulatedSite) -> ConfluenceSettings:
    return ConfluenceSettings(domain_url=site.site_url, personal_access_token=PAT)


def grant(site: SimulatedSite, c1z: Path, entitlement: str, principal: str) -> str:
    connector = build_connector(settings(site))
    response = asyncio.run(grant_from_file(connector, c1z, entitlement, "user", principal))
    return already(response.annotations)


def revoke(site: SimulatedSite, c1z: Path, grant_id: str) -> str:
    connector = build_connector(settings(site))
    return already(asyncio.run(revoke_from_file(connector, c1z, grant_id)).annotations)


def test_group_membership(site: SimulatedSite, c1z: Path) -> None:
    directory = Directory(site.state, site.spec)
    group = next(g for g in site.state.groups.values() if len(g.members) < len(directory.listed()))
    outsider = next(e for e in directory.listed() if e.account_id not in group.member_set)
    entitlement = f"group:{group.name}:member"
    assert grant(site, c1z, entitlement, outsider.user_key) == ""
    assert outsider.account_id in group.member_set
    member = next(e for e in directory.listed() if e.account_id in group.member_set and e is not outsider)
    assert grant(site, c1z, entitlement, member.user_key) == " (it was already granted)"
    assert revoke(site, c1z, f"{entitlement}:user:{member.user_key}") == ""
    assert member.account_id not in group.member_set


def test_space_permission_grant_and_revoke(site: SimulatedSite, c1z: Path) -> None:
    directory = Directory(site.state, site.spec)
    space = next(s for s in site.state.spaces.values() if not s.hidden)
    holders = {p.principal_id for p in site.state.space_permissions(space.id)}
    user = next(e for e in directory.listed() if e.account_id not in holders)
    read, export = f"space:{space.id}:read-space", f"space:{space.id}:export-space"
    with pytest.raises(ConnectorError) as caught:
        grant(site, c1z, export, user.user_key)  # Confluence grants nothing without read-space first
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert grant(site, c1z, read, user.user_key) == ""
    assert grant(site, c1z, export, user.user_key) == ""
    assert grant(site, c1z, export, user.user_key) == " (it was already granted)"
    held = {(p.key, p.target) for p in site.state.space_permissions(space.id) if p.principal_id == user.account_id}
    assert held == {("read", "space"), ("export", "space")}
    resync(site, c1z)
    assert revoke(site, c1z, f"{export}:user:{user.user_key}") == ""
    assert revoke(site, c1z, f"{export}:user:{user.user_key}") == " (it was already revoked)"
    held = {(p.key, p.target) for p in site.state.space_permissions(space.id) if p.principal_id == user.account_id}
    assert held == {("read", "space")}
