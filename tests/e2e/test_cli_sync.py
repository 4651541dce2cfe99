"""The real command line against the simulated site: content, options, bad input, secrets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from tests.baton.sync.c1z_rows import ids, synced
from tests.e2e.cli import run_cli, site_env
from tests.e2e.expected import expected
from tests.e2e.synced_users import as_oracle_sees, synced_users

SPEC = SiteSpec(seed=7, users=40, groups=8, spaces=12, permissions_per_space=10)


@pytest.fixture(scope="module")
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC) as running:
        yield running


def test_sync_matches_the_site(site: SimulatedSite, tmp_path: Path) -> None:
    result = run_cli([], tmp_path, site_env(site))
    assert result.returncode == 0, result.stderr
    assert "Synced to sync.c1z" in result.stdout
    rows = synced(tmp_path / "sync.c1z")
    want = expected(site.state, search_cap=SPEC.search_cap)
    got = synced_users(rows["resources"])
    assert as_oracle_sees(got, want.users) == want.users
    assert ids(rows["resources"], "group:") == want.groups
    assert ids(rows["resources"], "space:") == want.spaces
    grants = set(rows["grants"])
    assert {g for g in grants if g.startswith("group:")} == want.member_grants
    space_grants = {g for g in grants if g.startswith("space:")}
    assert want.direct_grants <= space_grants
    assert want.expanded_grants <= space_grants
    assert space_grants == want.direct_grants | want.expanded_grants
    for gid in want.expanded_grants:
        grant = pb.grant.Grant.FromString(rows["grants"][gid])
        assert ann.has(grant.annotations, pb.grant_annotations.GrantImmutable), gid
        assert all(src.startswith("group:") or src == grant.entitlement.id for src in grant.sources.sources)


def test_noun_verb_and_personal_spaces_select_exactly(site: SimulatedSite, tmp_path: Path) -> None:
    env = site_env(site) | {"BATON_NOUN": "space,page", "BATON_VERB": "read,create"}
    result = run_cli(["--skip-personal-spaces"], tmp_path, env)
    assert result.returncode == 0, result.stderr
    rows = synced(tmp_path / "sync.c1z")
    want = expected(site.state, ("space", "page"), ("read", "create"), skip_personal=True, search_cap=SPEC.search_cap)
    assert ids(rows["resources"], "space:") == want.spaces
    assert any(s.type == "personal" and not s.hidden for s in site.state.spaces.values())
    slugs = {k.rsplit(":", 1)[1] for k in rows["entitlements"] if k.startswith("space:")}
    assert slugs == {"read-space", "create-page"}
    space_grants = {g for g in rows["grants"] if g.startswith("space:")}
    assert space_grants == want.direct_grants | want.expanded_grants


def _previous(tmp_path: Path) -> bytes:
    old = tmp_path / "sync.c1z"
    old.write_bytes(b"C1ZF\x00previous sync, must stay untouched")
    return old.read_bytes()


@pytest.mark.parametrize(
    ("change", "code", "needle"),
    [
        ({"BATON_API_KEY": "wrong-token"}, 16, "--api-key"),
        ({"BATON_DOMAIN_URL": "http://127.0.0.1:9"}, 14, "127.0.0.1:9"),
        ({"BATON_DOMAIN_URL": "not a url"}, 3, "domain"),
        ({"BATON_NOUN": "spaceship"}, 3, "spaceship"),
        ({"BATON_USERNAME": ""}, 2, "--username"),
    ],
)
def test_bad_input_is_one_line_and_keeps_the_old_file(
    site: SimulatedSite, tmp_path: Path, change: dict[str, str], code: int, needle: str
) -> None:
    before = _previous(tmp_path)
    result = run_cli([], tmp_path, site_env(site) | change)
    assert result.returncode == code, (result.returncode, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert needle in errors[0]
    assert "Traceback" not in result.stderr
    assert (tmp_path / "sync.c1z").read_bytes() == before
    assert not list(tmp_path.glob("sync.c1z.work*"))


def test_api_key_never_logged_even_at_debug(site: SimulatedSite, tmp_path: Path) -> None:
    secret = site.spec.api_token
    ok = run_cli(["--log-level", "debug"], tmp_path, site_env(site))
    assert ok.returncode == 0, ok.stderr
    assert '"level": "debug"' in ok.stderr
    failed = run_cli(["--log-level", "debug", "--username", "someone@example.com"], tmp_path, site_env(site))
    assert failed.returncode != 0
    for result in (ok, failed):
        assert secret not in result.stderr and secret not in result.stdout


def test_corrupt_existing_file_is_refused_untouched(site: SimulatedSite, tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    path.write_bytes(b"garbage that is not a c1z")
    result = run_cli([], tmp_path, site_env(site))
    assert result.returncode == 1
    assert result.stderr.count("error:") == 1 and "sync.c1z" in result.stderr
    assert path.read_bytes() == b"garbage that is not a c1z"
