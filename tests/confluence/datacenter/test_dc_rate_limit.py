"""Data Center's token-bucket headers: the simulated site sends them, the connector rides them out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from confluence_simulator import SimulatedSite, SiteSpec, datacenter_flavor
from confluence_simulator.state import ANONYMOUS

from baton_confluence.baton.runner.local_sync import sync_to_file
from baton_confluence.confluence.builder import build_connector
from baton_confluence.confluence.datacenter import dc_catalog
from baton_confluence.confluence.settings import ConfluenceSettings
from tests.baton.sync.c1z_rows import latest_sync, open_c1z, table
from tests.confluence.datacenter.dc_expected import PAT, expected_dc

SPEC = SiteSpec(
    seed=13, users=30, groups=6, spaces=8, permissions_per_space=6, personal_access_token=PAT, rate_limit_rps=10
)


def test_headers_on_every_answer() -> None:
    with SimulatedSite(SPEC, flavor=datacenter_flavor()) as site:
        response = httpx.get(f"{site.site_url}/rest/api/group", headers={"Authorization": f"Bearer {PAT}"})
    assert response.status_code == 200
    for name in (
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-interval-seconds",
        "x-ratelimit-fillrate",
        "retry-after",
    ):
        assert name in response.headers, name
    assert response.headers["retry-after"] == "0"


def test_a_rate_limited_sync_completes(tmp_path: Path) -> None:
    with SimulatedSite(SPEC, flavor=datacenter_flavor()) as site:
        settings = ConfluenceSettings(domain_url=site.site_url, personal_access_token=PAT, concurrency=8)
        connector = build_connector(settings)
        asyncio.run(sync_to_file(connector, tmp_path / "sync.c1z"))
        want = expected_dc(site)
        anonymous = anonymous_grants(site)
        snapshot = site.stats.snapshot()
    # The bucket (10 tokens, 10 per second) is smaller than the sync: the client paces itself on
    # X-RateLimit-Remaining and waits out retry-after when it runs dry.
    assert snapshot.total_requests > 10
    assert snapshot.rate_limited <= 3
    conn = open_c1z(tmp_path / "sync.c1z")
    grants = set(table(conn, "v1_grants", latest_sync(conn)))
    assert {g for g in grants if g.startswith("group:")} == want.member_grants
    assert {g for g in grants if g.startswith("space:")} == want.direct_grants | want.expanded_grants | anonymous
    assert anonymous  # the seed opens some spaces to anonymous users: the case is exercised


def anonymous_grants(site: SimulatedSite) -> set[str]:
    """Grants of the anonymous access class: Data Center names it as the `anonymous` subject of a
    space's permission set; the connector keeps it as `access_class:anonymous` (pairs of the DC
    catalog only, as every other grant)."""
    pairs = {(p.verb, p.noun) for p in dc_catalog()}
    return {
        f"space:{perm.space_id}:{perm.key}-{perm.target}:access_class:anonymous"
        for space in site.state.spaces.values()
        if not space.hidden
        for perm in site.state.space_permissions(space.id)
        if perm.principal_type == "access_class" and perm.principal_id == ANONYMOUS and (perm.key, perm.target) in pairs
    }
