"""The features of issues 20 (site resource, last activity) and 21 (restricted content) through the
API gateway of issue 22, with the real command line: every credential kind gives the same c1z,
restricted content included; page restrictions are granted and revoked through the gateway; v1
content endpoints the gateway retires for OAuth tokens are skipped in one line; the organization
admin API keeps its own key; Validate passes through the gateway.

Expected content is what the classic token reads from the site itself; that run is checked against
the site's own state by tests/e2e/test_restricted_content.py and test_site_cloud.py, and here the
site resource and the restricted content are checked against the state directly as well.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from confluence_simulator import GatewaySpec, PagingSpec, SimulatedGateway, SimulatedSite, SiteSpec
from confluence_simulator.content_spec import ContentSpec
from confluence_simulator.credential_kinds import (
    CREDENTIAL_NONE,
    CREDENTIAL_ORG_KEY,
    LISTENER_GATEWAY,
    LISTENER_SITE,
)
from confluence_simulator.org_admin import org_admin_site
from confluence_simulator.site_global import cloud_id_of

from tests.baton.sync.c1z_rows import synced
from tests.e2e.cli import run_cli
from tests.e2e.report import report_counters
from tests.e2e.test_gateway_auth import KINDS, assert_no_gateway_credential_at_the_site, env_for, run

pytestmark = pytest.mark.timeout(300)

TOKEN_USES = 9  # far fewer than a sync's gateway calls: every OAuth sync outlives several tokens
CONTENT = ContentSpec(
    pages_per_space=12, blogposts_per_space=3, restricted_fraction=0.4, inline_limit=3, big_list_fraction=0.25
)
SPEC = SiteSpec(
    seed=31,
    users=20,
    groups=5,
    spaces=4,
    permissions_per_space=6,
    paging=PagingSpec(page_cap=5, v2_page_cap=3),
    content=CONTENT,
    gateway=GatewaySpec(access_token_max_uses=TOKEN_USES),
)
RESTRICTED = "--sync-restricted-content"
CONTENT_PREFIXES = ("page:", "blogpost:")


@pytest.fixture(scope="module")
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC) as running:
        yield running


@pytest.fixture(scope="module")
def gateway(site: SimulatedSite) -> Iterator[SimulatedGateway]:
    with SimulatedGateway(site) as running:
        yield running


def credentials_seen(site: SimulatedSite) -> dict[tuple[str, str], int]:
    return site.stats.snapshot().credentials


def restricted_ids(site: SimulatedSite) -> set[str]:
    """Content with a restriction of its own in the spaces the account sees, from the site's state."""
    return {
        f"{c.type}:{c.id}"
        for c in site.state.content.all()
        if c.restricted and not site.state.spaces[c.space_id].hidden
    }


def sync_each_kind(
    site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path, *args: str
) -> dict[str, dict[str, dict[str, bytes]]]:
    contents = {}
    for kind in KINDS:
        workdir = tmp_path / kind
        workdir.mkdir()
        run(kind, site, gateway, workdir, *args)
        contents[kind] = synced(workdir / "sync.c1z")
    return contents


@pytest.mark.parametrize("rbac", [False, True], ids=["permissions", "rbac"])
def test_every_kind_syncs_the_same_site_and_restricted_content(
    site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path, rbac: bool
) -> None:
    if rbac:
        with (
            SimulatedSite(replace(SPEC, rbac_enabled=True, custom_roles=1)) as rbac_site,
            SimulatedGateway(rbac_site) as gw,
        ):
            _check_every_kind(rbac_site, gw, tmp_path, RESTRICTED, "--use-rbac")
            assert any(k.startswith("space_role") for k in synced(tmp_path / "classic" / "sync.c1z")["resources"])
    else:
        _check_every_kind(site, gateway, tmp_path, RESTRICTED)


def _check_every_kind(site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path, *args: str) -> None:
    minted_before = dict(gateway.tokens.minted)
    contents = sync_each_kind(site, gateway, tmp_path, *args)
    classic = contents["classic"]
    # The classic run itself holds what the site's state says: the site resource under its cloudId,
    # and exactly the content restricted on its own, each with a view and an edit entitlement.
    assert f"site:{cloud_id_of(site.spec)}" in classic["resources"]
    want = restricted_ids(site)
    assert want and any(k.startswith("blogpost:") for k in want)
    assert {k for k in classic["resources"] if k.startswith(CONTENT_PREFIXES)} == want
    assert {k for k in classic["entitlements"] if k.startswith(CONTENT_PREFIXES)} == {
        f"{rid}:{slug}" for rid in want for slug in ("view", "edit")
    }
    assert any(k.startswith(CONTENT_PREFIXES) for k in classic["grants"])
    for kind in KINDS[1:]:
        for table_name in ("resources", "entitlements", "grants"):
            assert set(contents[kind][table_name]) == set(classic[table_name]), (kind, table_name)
            assert contents[kind][table_name] == classic[table_name], (kind, table_name)
    # The OAuth syncs outlived their tokens (renewed on 401, 3LO rotated each time).
    assert gateway.tokens.minted["client_credentials"] - minted_before["client_credentials"] >= 3
    assert gateway.tokens.minted["3lo"] - minted_before["3lo"] >= 3
    assert gateway.tokens.reuse_detected == 0
    seen = credentials_seen(site)
    assert seen.get((LISTENER_GATEWAY, "basic-scoped"), 0) > 0 and seen.get((LISTENER_GATEWAY, "bearer"), 0) > 0
    assert site.internal_errors == []
    assert_no_gateway_credential_at_the_site(site)


def _restricted_page_and_outsider(site: SimulatedSite) -> tuple[int, str]:
    """A visible page with a view restriction of its own, and a human account its list does not name."""
    for content in site.state.content.all():
        if content.type != "page" or site.state.spaces[content.space_id].hidden:
            continue
        read = content.restrictions["read"]
        if read.empty:
            continue
        for account, user in sorted(site.state.users.items()):
            if account not in read.users and user.account_type == "atlassian":
                return content.id, account
    raise AssertionError("the site has no page with a view restriction")


@pytest.mark.parametrize("kind", ["scoped", "client-credentials", "3lo"])
def test_grant_and_revoke_a_page_view_restriction_through_the_gateway(
    kind: str, site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path
) -> None:
    page_id, account = _restricted_page_and_outsider(site)
    entitlement = f"page:{page_id}:view"
    run(kind, site, gateway, tmp_path, RESTRICTED)
    granted = run(
        kind,
        site,
        gateway,
        tmp_path,
        RESTRICTED,
        "-f",
        "sync.c1z",
        "--grant-entitlement",
        entitlement,
        "--grant-principal",
        account,
        "--grant-principal-type",
        "user",
    )
    assert f"granted {entitlement} to user:{account}" in granted.stdout
    assert account in site.state.content.by_id[page_id].restrictions["read"].users
    run(kind, site, gateway, tmp_path, RESTRICTED, "-f", "after.c1z")
    grant_id = f"{entitlement}:user:{account}"
    assert grant_id in synced(tmp_path / "after.c1z")["grants"]
    revoked = run(kind, site, gateway, tmp_path, RESTRICTED, "-f", "after.c1z", "--revoke-grant", grant_id)
    assert revoked.stdout.strip() == f"revoked {grant_id}"
    assert account not in site.state.content.by_id[page_id].restrictions["read"].users
    assert_no_gateway_credential_at_the_site(site)


def _json_lines(stderr: str, event: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{") and f'"{event}"' in line]


@pytest.mark.parametrize("kind", ["client-credentials", "3lo"])
def test_v1_content_gone_for_oauth_is_skipped_in_one_line_and_the_rest_is_complete(kind: str, tmp_path: Path) -> None:
    spec = replace(SPEC, gateway=replace(SPEC.gateway, v1_gone_for_oauth=("/content", "/content/")))
    with SimulatedSite(spec) as running, SimulatedGateway(running) as gw:
        reference = tmp_path / "classic"
        reference.mkdir()
        run("classic", running, gw, reference, RESTRICTED)
        result = run(kind, running, gw, tmp_path, RESTRICTED)
        visible = sum(1 for s in running.state.spaces.values() if not s.hidden)
    gone = _json_lines(result.stderr, "confluence_restricted_content_gone")
    assert len(gone) == 2 * visible  # once per space and content type
    assert all("HTTP 410" in str(line["detail"]) and RESTRICTED in str(line["detail"]) for line in gone)
    findings = [line["finding"] for line in _json_lines(result.stderr, "confluence_validate_finding")]
    assert len(findings) == 1 and "410 Gone" in str(findings[0]) and RESTRICTED in str(findings[0])
    counters = report_counters(tmp_path / "sync.c1z", "restricted_content.gone.")
    assert counters == {"restricted_content.gone.page": visible, "restricted_content.gone.blogpost": visible}
    got, want = synced(tmp_path / "sync.c1z"), synced(reference / "sync.c1z")
    for table_name in ("resources", "entitlements", "grants"):
        others = {k: v for k, v in want[table_name].items() if not k.startswith(CONTENT_PREFIXES)}
        assert got[table_name] == others, table_name
    assert any(k.startswith(CONTENT_PREFIXES) for k in want["resources"])  # the classic run did read them


def test_last_activity_and_site_roles_keep_the_org_key_and_the_gateway_token_apart(
    site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path
) -> None:
    """With the organization admin API (last activity, the site's product roles) beside the
    gateway: every kind gives the classic token's c1z, the admin API sees only its own key, and
    the key reaches neither the site nor the gateway."""
    contents = {}
    with org_admin_site(site) as admin:
        for kind in KINDS:
            workdir = tmp_path / kind
            workdir.mkdir()
            before, admin_before = credentials_seen(site), admin.stats.snapshot().credentials
            env = env_for(kind, site, gateway, workdir) | {
                "BATON_LAST_ACTIVITY": "true",
                "BATON_ORG_ID": site.spec.site_admin.org_id,
                "BATON_ORG_API_KEY": site.spec.site_admin.org_api_key,
                "BATON_ADMIN_API_URL": admin.url,
            }
            result = run_cli([RESTRICTED], workdir, env)
            assert result.returncode == 0, (kind, result.stderr[-2000:])
            at_admin = {k for k, n in admin.stats.snapshot().credentials.items() if n > admin_before.get(k, 0)}
            assert at_admin == {(LISTENER_SITE, CREDENTIAL_ORG_KEY)}, kind  # only the org key, never a token
            new = {k for k, n in credentials_seen(site).items() if n > before.get(k, 0)}
            assert not any(seen == CREDENTIAL_ORG_KEY for _, seen in new), kind  # the key went nowhere else
            contents[kind] = synced(workdir / "sync.c1z")
            counters = report_counters(workdir / "sync.c1z", "accounts.last_login.")
            assert counters.get("accounts.last_login.known", 0) > 0, kind
    assert_no_gateway_credential_at_the_site(site)
    classic = contents["classic"]
    site_id = f"site:{cloud_id_of(site.spec)}"
    assert any(k.startswith(site_id + ":") for k in classic["grants"])  # the product roles were read
    assert {k for k in classic["resources"] if k.startswith(CONTENT_PREFIXES)} == restricted_ids(site)
    for kind in KINDS[1:]:
        for table_name in ("resources", "entitlements", "grants"):
            assert contents[kind][table_name] == classic[table_name], (kind, table_name)


@pytest.mark.parametrize("kind", ["scoped", "client-credentials", "3lo"])
def test_validate_passes_through_the_gateway_with_restricted_content(
    kind: str, site: SimulatedSite, gateway: SimulatedGateway, tmp_path: Path
) -> None:
    """Validate runs before every sync; with the option it probes one space's content listing
    (limit=1), here through the gateway, and finds nothing to report."""
    before = site.stats.snapshot()
    result = run(kind, site, gateway, tmp_path, RESTRICTED)
    after = site.stats.snapshot()
    assert _json_lines(result.stderr, "confluence_validate_finding") == []
    probes = [
        target
        for (method, target), n in after.by_request.items()
        if method == "GET"
        and target.startswith("/wiki/rest/api/content?")
        and "limit=1&" in target + "&"
        and n > before.by_request.get((method, target), 0)
    ]
    assert probes
    gained = {k for k, n in after.credentials.items() if n > before.credentials.get(k, 0)}
    # At the site, nothing but the credential-free cloudId lookup (`/_edge/tenant_info`).
    assert {kind for listener, kind in gained if listener == LISTENER_SITE} <= {CREDENTIAL_NONE}
    assert any(listener == LISTENER_GATEWAY for listener, _ in gained)
    assert_no_gateway_credential_at_the_site(site)


def test_a_restriction_grant_the_gateway_refuses_with_410_is_one_line_naming_the_endpoint_and_fix(
    tmp_path: Path,
) -> None:
    spec = replace(SPEC, gateway=replace(SPEC.gateway, v1_gone_for_oauth=("/content/",)))
    with SimulatedSite(spec) as running, SimulatedGateway(running) as gw:
        page_id, account = _restricted_page_and_outsider(running)
        run("classic", running, gw, tmp_path, RESTRICTED)
        args = [RESTRICTED, "-f", "sync.c1z", "--grant-entitlement", f"page:{page_id}:view"]
        args += ["--grant-principal", account, "--grant-principal-type", "user"]
        result = run_cli(args, tmp_path, env_for("client-credentials", running, gw, tmp_path))
        still_unlisted = account not in running.state.content.by_id[page_id].restrictions["read"].users
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert f"/wiki/rest/api/content/{page_id}/restriction" in line and "410" in line and "--scoped-token" in line
    assert still_unlisted


def test_validate_names_the_gateway_fix_for_an_endpoint_gone_not_a_permission(tmp_path: Path) -> None:
    """A 410 for OAuth tokens cannot be fixed with a permission: Validate's finding says what to
    do instead (no v2 group listing exists, so the sync itself stops on it in one line)."""
    spec = replace(SPEC, gateway=replace(SPEC.gateway, v1_gone_for_oauth=("/group",)))
    with SimulatedSite(spec) as running, SimulatedGateway(running) as gw:
        result = run_cli([RESTRICTED], tmp_path, env_for("client-credentials", running, gw, tmp_path))
    findings = [str(line["finding"]) for line in _json_lines(result.stderr, "confluence_validate_finding")]
    (groups,) = [line for line in findings if line.startswith("cannot list groups")]
    assert "410" in groups and "/wiki/rest/api/group" in groups and "--scoped-token" in groups
    assert "administrator" not in groups
    assert result.returncode != 0 and "Traceback" not in result.stderr
