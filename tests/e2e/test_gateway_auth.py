"""Every Cloud credential kind through the real command line: same c1z content, grants and revokes
work, and no scoped or Bearer credential ever reaches the site (only the gateway).

Kinds: classic API token on the site; scoped API token, OAuth 2.0 client credentials and OAuth 2.0
(3LO) with a rotating refresh token, all through the simulated gateway. Access tokens die after a
few gateway calls (`access_token_max_uses`), far fewer than a sync makes, so every OAuth sync
outlives several tokens.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluence_simulator import FaultSpec, GatewaySpec, PagingSpec, SimulatedGateway, SimulatedSite, SiteSpec
from confluence_simulator.credential_kinds import GATEWAY_ONLY_CREDENTIALS, LISTENER_SITE

from tests.baton.sync.c1z_rows import synced
from tests.confluence.provisioning.support import outsider
from tests.e2e.cli import run_cli, site_env

TOKEN_USES = 9
# Small pages, so that every listing pages through the gateway, whose links point at the site
# (`_links.base`) or drop the gateway prefix (`_links.next`).
SPEC = SiteSpec(
    seed=23,
    users=24,
    groups=6,
    spaces=6,
    permissions_per_space=8,
    paging=PagingSpec(page_cap=5, v2_page_cap=3),
    gateway=GatewaySpec(access_token_max_uses=TOKEN_USES),
)
KINDS = ("classic", "scoped", "client-credentials", "3lo")


@pytest.fixture(scope="module")
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC) as running:
        yield running


@pytest.fixture(scope="module")
def gateway(site: SimulatedSite) -> Iterator[SimulatedGateway]:
    with SimulatedGateway(site) as running:
        yield running


def env_for(kind: str, site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path) -> dict[str, str]:
    if kind == "classic":
        return site_env(site)
    spec = site.spec.gateway
    base = {"BATON_DOMAIN_URL": site.url, "BATON_LOG_FORMAT": "json", "BATON_ATLASSIAN_API_URL": gateway.url}
    if kind == "scoped":
        return base | {
            "BATON_USERNAME": site.spec.username,
            "BATON_API_KEY": spec.scoped_api_token,
            "BATON_SCOPED_TOKEN": "true",
        }
    oauth = base | {
        "BATON_ATLASSIAN_AUTH_URL": gateway.url,
        "BATON_OAUTH_CLIENT_ID": spec.oauth_client_id,
        "BATON_OAUTH_CLIENT_SECRET": spec.oauth_client_secret,
    }
    if kind == "client-credentials":
        return oauth
    token_file = tmp_path / "refresh-token"
    token_file.write_text(gateway.tokens.current_refresh_token + "\n")
    return oauth | {"BATON_OAUTH_REFRESH_TOKEN_FILE": str(token_file)}


def run(kind: str, site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_cli(list(args), tmp_path, env_for(kind, site, gateway, tmp_path))
    assert result.returncode == 0, (kind, result.stderr[-2000:])
    return result


def _later_pages(before: dict[tuple[str, str], int], after: dict[tuple[str, str], int]) -> frozenset[str]:
    """The pages past the first (`cursor=`, or a non-zero `start=`) a run asked for (retried
    attempts after a token died count once)."""
    pages = set()
    for key, n in after.items():
        query = key[1].partition("?")[2]
        if n > before.get(key, 0) and ("cursor=" in query or ("start=" in query and "start=0" not in query)):
            pages.add(key[1])
    return frozenset(pages)


def assert_no_gateway_credential_at_the_site(site: SimulatedSite) -> None:
    seen = site.stats.snapshot().credentials
    leaked = {key: n for key, n in seen.items() if key[0] == LISTENER_SITE and key[1] in GATEWAY_ONLY_CREDENTIALS}
    assert leaked == {}


def test_every_credential_kind_syncs_the_same_content(
    site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path
) -> None:
    contents = {}
    later_pages = {}
    minted_before = dict(gateway.tokens.minted)
    for kind in KINDS:
        workdir = tmp_path / kind
        workdir.mkdir()
        before = site.stats.snapshot().by_request
        run(kind, site, gateway, workdir)
        contents[kind] = synced(workdir / "sync.c1z")
        later_pages[kind] = _later_pages(before, site.stats.snapshot().by_request)
    classic = contents["classic"]
    assert classic["grants"] and classic["resources"]
    for kind in KINDS[1:]:
        for table_name in ("resources", "entitlements", "grants"):
            assert set(contents[kind][table_name]) == set(classic[table_name]), (kind, table_name)
            assert contents[kind][table_name] == classic[table_name], (kind, table_name)
    # Each OAuth sync outlived its tokens: several were minted, and the 3LO chain rotated each time.
    assert gateway.tokens.minted["client_credentials"] - minted_before["client_credentials"] >= 3
    assert gateway.tokens.minted["3lo"] - minted_before["3lo"] >= 3
    assert (tmp_path / "3lo" / "refresh-token").read_text().strip() == gateway.tokens.current_refresh_token
    assert gateway.tokens.reuse_detected == 0
    assert gateway.tokens.expired_uses > 0  # tokens died mid-sync; the client renewed them on 401
    # Every kind read the same later pages (v2 cursors, v1 offsets), all rebuilt on its own base.
    assert any("cursor=" in page for page in later_pages["classic"])
    assert any("start=" in page for page in later_pages["classic"])
    assert all(pages == later_pages["classic"] for pages in later_pages.values()), later_pages
    seen = site.stats.snapshot().credentials
    assert seen.get(("gateway", "basic-scoped"), 0) > 0 and seen.get(("gateway", "bearer"), 0) > 0
    assert site.internal_errors == []
    assert_no_gateway_credential_at_the_site(site)


@pytest.mark.parametrize("kind", KINDS)
def test_grant_and_revoke_under_each_kind(
    kind: str, site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path
) -> None:
    group_id, account = outsider(site.state)
    entitlement = f"group:{group_id}:member"
    run(kind, site, gateway, tmp_path)
    granted = run(
        kind, site, gateway, tmp_path,
        "-f", "sync.c1z",
        "--grant-entitlement", entitlement, "--grant-principal", account, "--grant-principal-type", "user",
    )
    assert granted.stdout.strip() == f"granted {entitlement} to user:{account}"
    assert account in site.state.group_members(group_id)
    run(kind, site, gateway, tmp_path, "-f", "after.c1z")
    grant_id = f"{entitlement}:user:{account}"
    assert grant_id in synced(tmp_path / "after.c1z")["grants"]
    revoked = run(kind, site, gateway, tmp_path, "-f", "after.c1z", "--revoke-grant", grant_id)
    assert revoked.stdout.strip() == f"revoked {grant_id}"
    assert account not in site.state.group_members(group_id)
    assert_no_gateway_credential_at_the_site(site)


def test_quota_429s_are_absorbed_and_counted_in_the_summary(tmp_path: Path) -> None:
    spec = SiteSpec(seed=29, users=12, groups=4, spaces=4, permissions_per_space=6, faults=FaultSpec(p_429=0.08, seed=5))
    with SimulatedSite(spec) as site, SimulatedGateway(site) as gateway:
        result = run("client-credentials", site, gateway, tmp_path)
        sent = site.stats.snapshot().sent_429
    assert sent > 0
    assert f"{sent:,} rate-limited (429) answers (confluence-quota-tenant-based: {sent:,})" in result.stdout


def assert_failed(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    assert result.returncode == code, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:") or "baton-confluence:" in line]
    assert lines, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr[-2000:])
    return result.stderr


def test_an_ended_refresh_chain_exits_16_naming_the_file(
    site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path
) -> None:
    env = env_for("3lo", site, gateway, tmp_path)
    token_file = tmp_path / "refresh-token"
    token_file.write_text("simulated-refresh-token-that-was-never-issued\n")
    result = run_cli([], tmp_path, env)
    stderr = assert_failed(result, 16, str(token_file), "authorise the app again")
    assert "simulated-refresh-token-that-was-never-issued" not in stderr
    assert not (tmp_path / "sync.c1z").exists()


def test_a_wrong_client_secret_exits_16_without_the_secret(
    site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path
) -> None:
    env = env_for("client-credentials", site, gateway, tmp_path) | {"BATON_OAUTH_CLIENT_SECRET": "not-the-secret"}
    stderr = assert_failed(run_cli([], tmp_path, env), 16, "--oauth-client-secret")
    assert "not-the-secret" not in stderr


def test_contradictory_credentials_exit_2_before_any_request(
    site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path
) -> None:
    env = env_for("client-credentials", site, gateway, tmp_path) | {"BATON_API_KEY": "also-a-token"}
    before = site.stats.snapshot().total_requests
    assert_failed(run_cli([], tmp_path, env), 2, "--api-key and --oauth-client-id")
    assert site.stats.snapshot().total_requests == before


def test_no_token_or_secret_reaches_the_logs_even_at_debug(
    site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path
) -> None:
    env = env_for("3lo", site, gateway, tmp_path) | {"BATON_LOG_LEVEL": "debug"}
    first_refresh = (tmp_path / "refresh-token").read_text().strip()
    result = run_cli([], tmp_path, env)
    assert result.returncode == 0, result.stderr[-2000:]
    output = result.stdout + result.stderr
    assert "confluence_oauth_token" in output  # the debug log ran and reported the minting
    for secret in ("simulated-access-", "simulated-refresh-token-", site.spec.gateway.oauth_client_secret):
        assert secret not in output, secret
    assert first_refresh != (tmp_path / "refresh-token").read_text().strip()
