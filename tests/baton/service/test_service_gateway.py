"""Service mode through Atlassian's API gateway: a sync task with OAuth 2.0 client credentials whose
tokens die mid-sync, and no gateway-only credential ever sent to the site."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from confluence_simulator import GatewaySpec, SimulatedGateway, SimulatedSite, SiteSpec
from confluence_simulator.credential_kinds import GATEWAY_ONLY_CREDENTIALS, LISTENER_SITE

from baton_confluence.confluence.builder import build_connector
from baton_confluence.confluence.settings import ConfluenceSettings
from tests.baton.service.conftest import Platform
from tests.baton.service.tasks_util import finished, open_c1z, sync_task, type_counts


def test_sync_task_through_the_gateway_with_client_credentials(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = SiteSpec(seed=4, users=12, groups=4, spaces=5, gateway=GatewaySpec(access_token_max_uses=5))
    with SimulatedSite(spec) as site, SimulatedGateway(site) as gateway:
        settings = ConfluenceSettings(
            domain_url=site.url,
            oauth_client_id=spec.gateway.oauth_client_id,
            oauth_client_secret=spec.gateway.oauth_client_secret,
            atlassian_api_url=gateway.url,
            atlassian_auth_url=gateway.url,
        )

        async def scenario() -> dict[str, int]:
            async with platform.serving(lambda: build_connector(settings)) as running:
                running.service.queue.append(sync_task("gateway-sync"))
                done = await finished(running.service, "gateway-sync", timeout=30)
            assert done.WhichOneof("final_state") == "success", done.status.message
            with open_c1z(running.service.seen.uploads["gateway-sync"].data, tmp_path) as conn:
                return type_counts(conn)

        counts = asyncio.run(scenario())
        visible_spaces = sum(1 for space in site.state.spaces.values() if not space.hidden)
        assert counts.get("space") == visible_spaces and counts.get("group") == len(site.state.groups)
        assert gateway.tokens.minted["client_credentials"] >= 2  # the sync outlived a token
        seen = site.stats.snapshot().credentials
        assert not any(key[0] == LISTENER_SITE and key[1] in GATEWAY_ONLY_CREDENTIALS for key in seen), seen
