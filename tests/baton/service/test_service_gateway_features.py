"""Service mode through Atlassian's API gateway with the features of issues 20 and 21: a sync task
under OAuth 2.0 (3LO, rotating refresh token, tokens dying mid-sync) with restricted content holds
the site resource (its cloudId) and exactly the restricted pages and blog posts of the site."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from confluence_simulator import GatewaySpec, SimulatedGateway, SimulatedSite, SiteSpec
from confluence_simulator.content_spec import ContentSpec
from confluence_simulator.site_global import cloud_id_of

from baton_confluence.confluence.builder import build_connector
from baton_confluence.confluence.settings import ConfluenceSettings
from tests.baton.service.conftest import Platform
from tests.baton.service.tasks_util import finished, open_c1z, sync_task, type_counts
from tests.e2e.test_gateway_auth import assert_no_gateway_credential_at_the_site

CONTENT = ContentSpec(pages_per_space=10, blogposts_per_space=3, restricted_fraction=0.4)
SPEC = SiteSpec(seed=6, users=12, groups=4, spaces=4, content=CONTENT, gateway=GatewaySpec(access_token_max_uses=6))


def test_sync_task_with_restricted_content_through_the_gateway_with_3lo(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with SimulatedSite(SPEC) as site, SimulatedGateway(site) as gateway:
        token_file = tmp_path / "refresh-token"
        token_file.write_text(gateway.tokens.current_refresh_token + "\n")
        settings = ConfluenceSettings(
            domain_url=site.url,
            oauth_client_id=SPEC.gateway.oauth_client_id,
            oauth_client_secret=SPEC.gateway.oauth_client_secret,
            oauth_refresh_token_file=str(token_file),
            atlassian_api_url=gateway.url,
            atlassian_auth_url=gateway.url,
            sync_restricted_content=True,
        )

        async def scenario() -> tuple[dict[str, int], set[str]]:
            async with platform.serving(lambda: build_connector(settings)) as running:
                running.service.queue.append(sync_task("gateway-features"))
                done = await finished(running.service, "gateway-features", timeout=60)
            assert done.WhichOneof("final_state") == "success", done.status.message
            with open_c1z(running.service.seen.uploads["gateway-features"].data, tmp_path) as conn:
                ids = {row[0] for row in conn.execute("select external_id from v1_resources")}  # `type:id`
                return type_counts(conn), ids

        counts, ids = asyncio.run(scenario())
        want = {
            f"{c.type}:{c.id}"
            for c in site.state.content.all()
            if c.restricted and not site.state.spaces[c.space_id].hidden
        }
        assert want and {i for i in ids if i.startswith(("page:", "blogpost:"))} == want
        assert counts.get("site") == 1 and f"site:{cloud_id_of(site.spec)}" in ids
        assert gateway.tokens.minted["3lo"] >= 2 and gateway.tokens.reuse_detected == 0  # outlived a token
        assert token_file.read_text().strip() == gateway.tokens.current_refresh_token
        assert_no_gateway_credential_at_the_site(site)
