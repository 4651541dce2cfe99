"""Service mode end to end with the real Confluence connector against the simulated site."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.service.conftest import Platform
from tests.service.tasks_util import finished, open_c1z, sync_task, type_counts


def test_sync_task_with_the_confluence_connector(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from confluence_simulator import SimulatedSite, SiteSpec

    from baton_confluence.confluence.builder import build_connector
    from baton_confluence.confluence.settings import ConfluenceSettings

    monkeypatch.chdir(tmp_path)  # no stray .baton.yaml from the working directory
    spec = SiteSpec(seed=3, users=12, groups=4, spaces=5)
    with SimulatedSite(spec) as site:
        settings = ConfluenceSettings(domain_url=site.url, username=spec.username, api_key=spec.api_token)

        async def scenario() -> None:
            async with platform.serving(lambda: build_connector(settings)) as running:
                running.service.queue.append(sync_task("conf-sync"))
                done = await finished(running.service, "conf-sync", timeout=20)
            assert done.WhichOneof("final_state") == "success", done.status.message
            hello = running.service.seen.hellos[0]
            assert hello.connector_metadata.display_name
            with open_c1z(running.service.seen.uploads["conf-sync"].data, tmp_path) as conn:
                counts = type_counts(conn)
            assert counts.get("space") == 5 and counts.get("group") == 4 and counts.get("user", 0) >= 1

        asyncio.run(scenario())
