"""The `site` resource on the simulated Cloud site without the org admin key: its cloudId, one
request for it, no grants and a report that says why; read-only over gRPC."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest
from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator.site_global import TENANT_INFO, cloud_id_of

from baton_confluence.baton import pb
from baton_confluence.baton.runner.local_sync import served
from baton_confluence.confluence.builder import build_connector
from baton_confluence.confluence.settings import ConfluenceSettings
from tests.baton.sync.c1z_rows import synced
from tests.e2e.cli import run_cli, site_env
from tests.e2e.report import report_counters
from tests.e2e.site_cost import cost_of_site_type

SPEC = SiteSpec(seed=9, users=20, groups=5, spaces=4, permissions_per_space=6)


def test_cloud_site_resource_costs_one_request_and_reports_missing_roles(tmp_path: Path) -> None:
    with SimulatedSite(SPEC) as site:
        result = run_cli([], tmp_path, site_env(site))
        assert result.returncode == 0, result.stderr
        requests = site.stats.snapshot().by_request
    cloud_id = cloud_id_of(SPEC)
    rows = synced(tmp_path / "sync.c1z")
    assert [k for k in rows["resources"] if k.startswith("site:")] == [f"site:{cloud_id}"]
    assert {k for k in rows["entitlements"] if k.startswith("site:")} == {
        f"site:{cloud_id}:use-application",
        f"site:{cloud_id}:administer-application",
    }
    assert not [g for g in rows["grants"] if g.startswith("site:")]
    # The only request outside the Confluence API is the one for the cloudId.
    assert requests[("GET", TENANT_INFO)] == 1
    assert {path for _, path in requests if not path.startswith("/wiki/")} == {TENANT_INFO}
    assert report_counters(tmp_path / "sync.c1z")["site.grants_unavailable.no_org_admin_key"] == 1


@pytest.mark.parametrize("method", ["Grant", "Revoke"])
def test_site_entitlements_are_read_only(method: str) -> None:
    with SimulatedSite(SPEC) as site:
        settings = ConfluenceSettings(domain_url=site.url, username=SPEC.username, api_key=SPEC.api_token)

        async def call() -> grpc.StatusCode:
            connector = build_connector(settings)
            entitlement = pb.entitlement.Entitlement(id="site:x:administer-application", slug="administer-application")
            entitlement.resource.id.resource_type = "site"
            entitlement.resource.id.resource = "x"
            principal = pb.resource.Resource(id=pb.resource.ResourceId(resource_type="user", resource="someone"))
            try:
                async with served(connector, provisioning=True) as client:
                    if method == "Grant":
                        request = pb.grant.GrantManagerServiceGrantRequest(entitlement=entitlement, principal=principal)
                        await client.grant_manager.Grant(request)
                    else:
                        grant = pb.grant.Grant(id="g", entitlement=entitlement, principal=principal)
                        await client.grant_manager.Revoke(pb.grant.GrantManagerServiceRevokeRequest(grant=grant))
            except grpc.aio.AioRpcError as err:
                assert "site" in (err.details() or "") and "cannot be provisioned" in (err.details() or "")
                return err.code()
            finally:
                await connector.close()
            return grpc.StatusCode.OK

        assert asyncio.run(call()) == grpc.StatusCode.UNIMPLEMENTED
        assert site.stats.total_requests == 0  # refused before any request


def test_the_site_resource_is_the_only_extra_cost_of_a_default_sync(tmp_path: Path) -> None:
    """Requests of a default sync minus those of the same sync without the `site` type: exactly
    the one tenant_info request; the rest of the output is identical."""
    with SimulatedSite(SPEC) as site:
        cost = cost_of_site_type(site, site_env(site), "user,group,space,space_role,access_class", tmp_path)
    assert cost.extra_requests == {("GET", TENANT_INFO): 1}
    assert cost.with_site == cost.without_site
