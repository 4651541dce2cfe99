"""Restricted content on the simulated Data Center site: the same v1 listing under the context
path, users by user key and groups by name, grants equal to the site's restriction lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec, datacenter_flavor
from confluence_simulator.content_spec import ContentSpec
from confluence_simulator.dc_directory import user_key_of

from tests.baton.sync.c1z_rows import synced
from tests.confluence.datacenter.dc_expected import PAT, dc_env
from tests.e2e.cli import run_cli

pytestmark = pytest.mark.timeout(120)

SPEC = SiteSpec(
    seed=13, users=30, groups=6, spaces=6, permissions_per_space=8, personal_access_token=PAT,
    content=ContentSpec(pages_per_space=25, blogposts_per_space=3, restricted_fraction=0.3, inline_limit=3,
                        big_list_fraction=0.2),
)
SLUGS = {"read": "view", "update": "edit"}


def test_dc_restricted_content_matches_the_site(tmp_path: Path) -> None:
    with SimulatedSite(SPEC, flavor=datacenter_flavor("/confluence")) as site:
        result = run_cli(["--sync-restricted-content"], tmp_path, dc_env(site))
        assert result.returncode == 0, result.stderr
        assert site.stats.snapshot().count("GET", "/confluence/rest/api/content/") > 0  # truncated lists read
        state = site.state
    resources, direct = set(), set()
    for content in state.content.all():
        if state.spaces[content.space_id].hidden or not content.restricted:
            continue
        rid = f"{content.type}:{content.id}"
        resources.add(rid)
        for operation, restriction in content.restrictions.items():
            direct.update(f"{rid}:{SLUGS[operation]}:user:{user_key_of(a)}" for a in restriction.users)
            direct.update(f"{rid}:{SLUGS[operation]}:group:{state.groups[g].name}" for g in restriction.groups)
    rows = synced(tmp_path / "sync.c1z")
    assert {k for k in rows["resources"] if k.startswith(("page:", "blogpost:"))} == resources
    content_grants = {k for k in rows["grants"] if k.startswith(("page:", "blogpost:"))}
    assert direct <= content_grants
    assert any(":group:" in g for g in direct)
    # every other grant is a group member's, derived from a listed group
    members = {
        f"{g.split(':group:')[0]}:user:{user_key_of(m)}"
        for g in direct if ":group:" in g
        for m in next(x for x in state.groups.values() if x.name == g.split(":group:")[1]).members
        if state.users[m].account_type == "atlassian"
    }
    assert content_grants == direct | members
