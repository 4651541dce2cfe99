"""`--sync-restricted-content` end to end: the real command line against the simulated site, the
c1z checked against the site's own state (pages and blog posts, restriction lists, group members)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator.content_spec import ContentSpec
from confluence_simulator.state import SiteState

from baton_confluence.baton import pb
from tests.baton.sync.c1z_rows import synced
from tests.e2e.cli import run_cli, site_env
from tests.e2e.restricted_expected import effective_viewers

pytestmark = pytest.mark.timeout(180)

CONTENT = ContentSpec(pages_per_space=30, blogposts_per_space=5, restricted_fraction=0.3, inline_limit=3,
                      big_list_fraction=0.25)
SPEC = SiteSpec(seed=21, users=40, groups=8, spaces=8, permissions_per_space=10, content=CONTENT)
SLUGS = {"read": "view", "update": "edit"}


@dataclass
class Expected:
    resources: dict[str, tuple[str, str, tuple[str, ...]]] = field(default_factory=dict)  # id -> (space, title, ancestors)
    direct: set[str] = field(default_factory=set)
    expanded: set[str] = field(default_factory=set)


def expected(state: SiteState, excluded: frozenset[str] = frozenset()) -> Expected:
    """What the c1z must hold, from the site's state: restricted content of the synced spaces,
    a grant per listed user and group, and one per member of each listed group."""
    out = Expected()
    for content in state.content.all():
        space = state.spaces[content.space_id]
        if space.hidden or space.key in excluded or not content.restricted:
            continue
        rid = f"{content.type}:{content.id}"
        out.resources[rid] = (str(space.id), content.title, tuple(str(a) for a in content.ancestors))
        for operation, restriction in content.restrictions.items():
            ent = f"{rid}:{SLUGS[operation]}"
            out.direct.update(f"{ent}:user:{a}" for a in restriction.users)
            out.direct.update(f"{ent}:group:{g}" for g in restriction.groups)
            out.expanded.update(f"{ent}:user:{m}" for g in restriction.groups for m in state.groups[g].members)
    return out


@pytest.fixture(scope="module")
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC) as running:
        yield running


def _content_rows(rows: dict[str, dict[str, bytes]], table: str) -> dict[str, bytes]:
    return {k: v for k, v in rows[table].items() if k.startswith(("page:", "blogpost:"))}


def test_restricted_content_matches_the_site(site: SimulatedSite, tmp_path: Path) -> None:
    excluded_space = sorted(s.key for s in site.state.spaces.values() if not s.hidden and s.type == "global")[0]
    result = run_cli(["--sync-restricted-content", "--exclude-spaces", excluded_space], tmp_path, site_env(site))
    assert result.returncode == 0, result.stderr
    assert "content" not in "".join(line for line in result.stderr.splitlines() if "validate_finding" in line)
    want = expected(site.state, frozenset({excluded_space}))
    assert any(len(a) >= 2 for _, _, a in want.resources.values())  # chains restricted at several levels
    assert any(k.startswith("blogpost:") for k in want.resources)
    rows = synced(tmp_path / "sync.c1z")

    resources = _content_rows(rows, "resources")
    assert set(resources) == set(want.resources)
    for rid, data in resources.items():
        resource = pb.resource.Resource.FromString(data)
        space_id, title, ancestors = want.resources[rid]
        assert (resource.parent_resource_id.resource_type, resource.parent_resource_id.resource) == ("space", space_id)
        assert resource.display_name == title
        assert tuple(v.string_value for v in resource.profile.fields["ancestor_ids"].list_value.values) == ancestors

    entitlements = set(_content_rows(rows, "entitlements"))
    assert entitlements == {f"{rid}:{slug}" for rid in want.resources for slug in ("view", "edit")}
    assert set(_content_rows(rows, "grants")) == want.direct | want.expanded
    # Truncated inline lists were read whole: some content lists more users than the inline limit.
    assert any(
        len(c.restrictions[op].users) > CONTENT.inline_limit for c in site.state.content.all() for op in SLUGS
    )


def test_without_the_option_nothing_is_read_and_nothing_changes(tmp_path: Path) -> None:
    """Same seed, with and without content on the site, no option: same requests, same rows."""
    runs = []
    for content in (CONTENT, replace(CONTENT, pages_per_space=0, blogposts_per_space=0)):
        with SimulatedSite(replace(SPEC, content=content)) as running:
            out = tmp_path / f"{content.pages_per_space}"
            out.mkdir()
            result = run_cli([], out, site_env(running))
            assert result.returncode == 0, result.stderr
            stats = running.stats.snapshot()
            assert stats.count("GET", "/wiki/rest/api/content") == 0
            assert stats.count("GET", "/wiki/api/v2/spaces/") > 0
            runs.append((stats.total_requests, {t: set(r) for t, r in synced(out / "sync.c1z").items()}))
    assert runs[0] == runs[1]
    assert runs[0][0] > 0


def test_content_endpoints_gone_are_reported_and_skipped(tmp_path: Path) -> None:
    spec = replace(SPEC, content=replace(CONTENT, v1_content_gone=True))
    with SimulatedSite(spec) as running:
        result = run_cli(["--sync-restricted-content"], tmp_path, site_env(running))
        assert result.returncode == 0, result.stderr
        gone = [json.loads(line) for line in result.stderr.splitlines() if "confluence_restricted_content_gone" in line]
        visible = sum(1 for s in running.state.spaces.values() if not s.hidden)
        assert len(gone) == 2 * visible  # once per space and content type, each one line
        assert "HTTP 410" in gone[0]["detail"] and "--sync-restricted-content" in gone[0]["detail"]
        findings = [json.loads(line)["finding"] for line in result.stderr.splitlines()
                    if "confluence_validate_finding" in line]
        assert findings == [
            "the v1 content listing answers 410 Gone to these credentials: drop --sync-restricted-content "
            "(the site no longer serves it to these credentials)"
        ]
        rows = synced(tmp_path / "sync.c1z")
        assert not _content_rows(rows, "resources")
        assert {k for k in rows["resources"] if k.startswith("space:")}
        stats = run_cli(["inspect", "stats"], tmp_path, site_env(running))
        assert "restricted_content.gone.page" in stats.stdout + stats.stderr


def test_inspect_restricted_lists_effective_viewers(site: SimulatedSite, tmp_path: Path) -> None:
    result = run_cli(["--sync-restricted-content"], tmp_path, site_env(site))
    assert result.returncode == 0, result.stderr
    rows = synced(tmp_path / "sync.c1z")
    everyone = {k.removeprefix("user:") for k in rows["resources"] if k.startswith("user:")}
    want = effective_viewers(site.state, everyone, set(_content_rows(rows, "resources")))
    shown = run_cli(["inspect", "restricted", "-o", "json", "sync.c1z"], tmp_path)
    assert shown.returncode == 0, shown.stderr
    got = {item["resource"]: item for item in json.loads(shown.stdout)}
    assert set(got) == set(want)
    for key, (viewers, blocked) in want.items():
        assert set(got[key]["effective"]) == viewers, key
        assert {b["user"] for b in got[key]["blocked"]} == blocked, key
    assert any(blocked for _, blocked in want.values())  # the misconfiguration is there to find
    assert any(len(item["layers"]) >= 2 for item in got.values())  # several levels of a chain

    space = next(iter(got.values()))["container"]
    one_space = run_cli(["inspect", "restricted", "--space", space.removeprefix("space:"), "sync.c1z"], tmp_path)
    assert one_space.returncode == 0, one_space.stderr
    listed = {line.split()[0] for line in one_space.stdout.splitlines()[1:] if line.strip()}
    assert listed == {k for k, item in got.items() if item["container"] == space}


def test_the_review_page_shows_restricted_content(site: SimulatedSite, tmp_path: Path) -> None:
    from tests.baton.inspect.page import meta

    result = run_cli(["--sync-restricted-content"], tmp_path, site_env(site))
    assert result.returncode == 0, result.stderr
    page = run_cli(["inspect", "report", "-o", "review.html", "sync.c1z"], tmp_path)
    assert page.returncode == 0, page.stderr
    m = meta((tmp_path / "review.html").read_text(encoding="utf-8"))
    rows = synced(tmp_path / "sync.c1z")
    everyone = {k.removeprefix("user:") for k in rows["resources"] if k.startswith("user:")}
    want = effective_viewers(site.state, everyone, set(_content_rows(rows, "resources")))

    def ref(n: int) -> str:
        return f"{m['types'][m['nodes'][n][0]]}:{m['nodes'][n][1]}"

    items = m["restricted"]["items"]
    got = {ref(n): ({ref(e) for e in eff}, {ref(b) for b, _ in blocked}) for n, _, _, _, eff, blocked in items}
    assert got == want  # every list here is below the page's cut
    assert all(count == len(eff) for _, _, _, count, eff, _ in items)
    spaces = {ref(item[1]) for item in items}
    assert all(s.startswith("space:") for s in spaces) and len(spaces) > 1


@pytest.mark.parametrize("kill_at", [0.5, 0.8], ids=["mid-listing", "late"])
def test_kill_9_then_resume_gives_the_straight_result(tmp_path: Path, kill_at: float) -> None:
    from tests.baton.sync.c1z_rows import sync_content
    from tests.e2e.test_resilience import _start_sync, _totals, kill_after

    spec = replace(SPEC, latency_ms=20)
    args = ["--sync-restricted-content"]
    straight = tmp_path / "straight"
    straight.mkdir()
    with SimulatedSite(spec) as running:
        result = run_cli(args, straight, site_env(running))
        assert result.returncode == 0, result.stderr
        fresh_requests = running.stats.snapshot().total_requests
    expected_rows = sync_content(straight / "sync.c1z")
    assert any(k.startswith("v1_grants/page:") for k in expected_rows)

    work = tmp_path / "run"
    work.mkdir()
    with SimulatedSite(spec) as running:
        kill_after(running, _start_sync(work, running, *args), fresh_requests * kill_at, work / "sync.c1z.work.db")
        assert (work / "sync.c1z.work.db").exists()
        resumed = run_cli(args, work, site_env(running))
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed" in resumed.stdout
    assert sync_content(work / "sync.c1z") == expected_rows
    assert _totals(resumed.stdout) == _totals(result.stdout)


def test_the_review_page_cuts_long_viewer_lists(
    site: SimulatedSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baton_confluence.baton.c1z.reader import C1ZReader
    from baton_confluence.baton.inspect import report_layered
    from baton_confluence.baton.inspect.access import ResourceRef
    from baton_confluence.confluence.content_types import content_access_rule

    assert run_cli(["--sync-restricted-content"], tmp_path, site_env(site)).returncode == 0
    monkeypatch.setattr(report_layered, "EFFECTIVE_SHOWN", 2)
    nodes: dict[ResourceRef, int] = {}
    with C1ZReader.open(tmp_path / "sync.c1z") as reader:
        meta = report_layered.restricted_meta(reader, content_access_rule(), lambda ref: nodes.setdefault(ref, len(nodes)))
    assert meta is not None
    counts = [(count, len(shown)) for _, _, _, count, shown, _ in meta["items"]]
    assert all(shown == min(count, 2) for count, shown in counts)
    assert any(count > 2 for count, _ in counts)
