"""Service mode end to end with the real Confluence connector against the simulated site."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec

from baton_confluence.baton import pb
from baton_confluence.confluence.builder import build_connector
from baton_confluence.confluence.settings import ConfluenceSettings
from tests.baton.service.conftest import Platform
from tests.baton.service.fake_baton import eventually
from tests.baton.service.tasks_util import finished, open_c1z, sync_task, type_counts


def test_sync_task_with_the_confluence_connector(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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


def test_a_targeted_sync_task_uploads_a_partial_sync_of_that_space(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = SiteSpec(seed=5, users=20, groups=5, spaces=8, permissions_per_space=10)
    with SimulatedSite(spec) as site:
        settings = ConfluenceSettings(domain_url=site.url, username=spec.username, api_key=spec.api_token)
        space_id = sorted(site.state.spaces)[0]
        target = pb.resource.Resource(id=pb.resource.ResourceId(resource_type="space", resource=str(space_id)))

        async def scenario() -> tuple[int, int]:
            async with platform.serving(lambda: build_connector(settings)) as running:
                await eventually(lambda: running.service.seen.polls >= 1, what="the service polling")
                site.reset_stats()
                running.service.queue.append(sync_task("full"))
                await finished(running.service, "full", timeout=20)
                full_requests = site.stats.snapshot().total_requests
                site.reset_stats()
                running.service.queue.append(sync_task("targeted", targeted_sync_resources=[target]))
                done = await finished(running.service, "targeted", timeout=20)
                targeted_requests = site.stats.snapshot().total_requests
            assert done.WhichOneof("final_state") == "success", done.status.message
            assert [f.task_id for f in running.service.seen.finish_calls] == ["full", "targeted"]
            with open_c1z(running.service.seen.uploads["targeted"].data, tmp_path) as conn:
                assert conn.execute("select sync_type, parent_sync_id from v1_sync_runs").fetchall() == [
                    ("partial", "")  # a fresh file per task: no full sync to be the parent
                ]
                assert type_counts(conn) == {"space": 1}
                space_ids = {r[0] for r in conn.execute("select distinct resource_id from v1_grants")}
                assert space_ids == {str(space_id)}
            return full_requests, targeted_requests

        full_requests, targeted_requests = asyncio.run(scenario())
    # Validate's probes, GET the space, one page of its permissions; the full sync lists the site.
    assert targeted_requests <= 10 < full_requests
    print(f"service mode: full sync {full_requests} API requests, targeted sync of one space {targeted_requests}")
