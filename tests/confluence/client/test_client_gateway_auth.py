"""Scoped tokens and OAuth 2.0 through the simulated gateway, in process: token minting and renewal,
the refresh-token file, refusals, cloudId discovery, scopes, 410 Gone, quota 429s and bad settings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import grpc
import httpx
import pytest
from confluence_simulator import GatewaySpec, SimulatedGateway, SimulatedSite, SiteSpec
from confluence_simulator.credential_kinds import GATEWAY_ONLY_CREDENTIALS, LISTENER_SITE
from confluence_simulator.gateway_scopes import ALL_SCOPES
from confluence_simulator.state import PRINCIPAL_GROUP
from google.rpc import error_details_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.builder import build_connector
from baton_confluence.confluence.client import BasicAuth, ConfluenceCloudAPI, ConfluenceHTTP, GatewayRoute
from baton_confluence.confluence.client.errors import EndpointGone
from baton_confluence.confluence.client.gateway import tenant_info_cloud_id
from baton_confluence.confluence.client.oauth import ClientCredentialsGrant, OAuthCredentials
from baton_confluence.confluence.client.token_file import RefreshTokenFile
from baton_confluence.confluence.connector import ConfluenceConnector
from baton_confluence.confluence.settings import ConfluenceSettings, SettingsError

T = TypeVar("T")
SMALL = {"seed": 31, "users": 10, "groups": 4, "spaces": 3, "permissions_per_space": 5}


@pytest.fixture
def make_site() -> Iterator[Callable[..., tuple[SimulatedSite, SimulatedGateway]]]:
    running: list[Any] = []

    def make(**gateway: Any) -> tuple[SimulatedSite, SimulatedGateway]:
        site = SimulatedSite(SiteSpec(**SMALL, gateway=GatewaySpec(**gateway)))
        site.start()
        running.append(site)
        gw = SimulatedGateway(site)
        gw.start()
        running.append(gw)
        return site, gw

    yield make
    for server in reversed(running):
        server.stop()


def oauth_settings(site: SimulatedSite, gw: SimulatedGateway, **extra: Any) -> ConfluenceSettings:
    spec = site.spec.gateway
    values: dict[str, Any] = {
        "domain_url": site.url,
        "oauth_client_id": spec.oauth_client_id,
        "oauth_client_secret": spec.oauth_client_secret,
        "atlassian_api_url": gw.url,
        "atlassian_auth_url": gw.url,
    }
    return ConfluenceSettings(**(values | extra))


def refresh_file(gw: SimulatedGateway, tmp_path: Path, token: str | None = None) -> Path:
    path = tmp_path / "refresh-token"
    path.write_text((token or gw.tokens.current_refresh_token) + "\n")
    return path


def with_api(settings: ConfluenceSettings, scenario: Callable[[ConfluenceCloudAPI], Awaitable[T]]) -> T:
    async def go() -> T:
        connector = build_connector(settings)
        try:
            assert isinstance(connector.api, ConfluenceCloudAPI)
            return await scenario(connector.api)
        finally:
            await connector.close()

    return asyncio.run(go())


def gateway_only_at_site(site: SimulatedSite) -> dict[tuple[str, str], int]:
    seen = site.stats.snapshot().credentials
    return {key: n for key, n in seen.items() if key[0] == LISTENER_SITE and key[1] in GATEWAY_ONLY_CREDENTIALS}


# --- client credentials --------------------------------------------------------------------------
def test_concurrent_first_calls_mint_one_token_and_ask_the_site_only_for_its_cloud_id(make_site: Any) -> None:
    site, gw = make_site()

    async def scenario(api: ConfluenceCloudAPI) -> list[int]:
        pages = await asyncio.gather(*(api.list_groups("") for _ in range(16)))
        return [len(page.items) for page in pages]

    sizes = with_api(oauth_settings(site, gw), scenario)
    assert sizes == [len(site.state.groups)] * 16
    assert gw.tokens.minted == {"client_credentials": 1, "3lo": 0}
    # The one request the site saw is the unauthenticated tenant_info lookup, made once.
    assert {k: n for k, n in site.stats.snapshot().credentials.items() if k[0] == LISTENER_SITE} == {("site", "none"): 1}


def test_a_token_is_renewed_before_it_expires_without_a_401(make_site: Any) -> None:
    site, gw = make_site(access_token_lifetime_s=3600)
    now = [1000.0]
    spec = site.spec.gateway

    def side() -> httpx.AsyncClient:
        return httpx.AsyncClient()

    async def go() -> int:
        credentials = OAuthCredentials(
            ClientCredentialsGrant(spec.oauth_client_id, spec.oauth_client_secret),
            auth_url=gw.url,
            side_client=side,
            clock=lambda: now[0],
        )
        route = GatewayRoute.fixed(gw.cloud_id)
        async with ConfluenceHTTP(gw.url, auth=credentials, route=route, max_attempts=1) as http:
            api = ConfluenceCloudAPI(http)
            await api.list_groups("")
            now[0] += 3600 - 60  # within the renewal margin, not yet expired
            await api.list_groups("")
            return credentials.minted

    assert asyncio.run(go()) == 2
    assert site.stats.snapshot().statuses.get(401, 0) == 0


def test_a_token_that_dies_early_is_renewed_once_and_the_call_succeeds(make_site: Any) -> None:
    site, gw = make_site(access_token_max_uses=1)

    async def scenario(api: ConfluenceCloudAPI) -> int:
        for _ in range(3):
            await api.list_groups("")
        return 0

    with_api(oauth_settings(site, gw), scenario)
    assert gw.tokens.minted["client_credentials"] == 3
    assert gw.tokens.expired_uses == 2


def test_a_wrong_client_secret_is_one_line_naming_the_flags_without_the_secret(make_site: Any) -> None:
    site, gw = make_site()
    wrong = "wrong-secret-value"
    with pytest.raises(ConnectorError) as caught:
        with_api(oauth_settings(site, gw, oauth_client_secret=wrong), lambda api: api.list_groups(""))
    err = caught.value
    assert err.code == grpc.StatusCode.UNAUTHENTICATED
    assert "--oauth-client-id/--oauth-client-secret" in err.message and "access_denied" in err.message
    assert wrong not in err.message and "\n" not in err.message
    assert gw.tokens.refused == 1


# --- 3LO -------------------------------------------------------------------------------------------
def test_3lo_saves_each_rotated_token_before_using_the_access_token(make_site: Any, tmp_path: Path) -> None:
    site, gw = make_site(access_token_max_uses=2)
    path = refresh_file(gw, tmp_path)
    bearer_calls_at_save: list[int] = []
    original = RefreshTokenFile.replace

    def recording(self: RefreshTokenFile, token: str) -> None:
        bearer_calls_at_save.append(site.stats.snapshot().credentials.get(("gateway", "bearer"), 0))
        original(self, token)

    async def scenario(api: ConfluenceCloudAPI) -> None:
        for _ in range(4):
            await api.list_groups("")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RefreshTokenFile, "replace", recording)
        with_api(oauth_settings(site, gw, oauth_refresh_token_file=str(path)), scenario)
    # accessible-resources + 4 listings on tokens that last two calls each: three refreshes.
    assert gw.tokens.minted["3lo"] == len(bearer_calls_at_save) == 3
    # Each save came before any call with the access token it arrived with: the gateway had seen
    # exactly the calls the earlier tokens allowed (two each, the last one refused) at that moment.
    assert bearer_calls_at_save == [0, 3, 6]
    assert path.read_text().strip() == gw.tokens.current_refresh_token
    assert gw.tokens.reuse_detected == 0


def test_3lo_a_reused_refresh_token_is_refused_and_the_chain_revoked(make_site: Any, tmp_path: Path) -> None:
    site, gw = make_site()
    spent = gw.tokens.current_refresh_token
    path = refresh_file(gw, tmp_path)
    settings = oauth_settings(site, gw, oauth_refresh_token_file=str(path))
    with_api(settings, lambda api: api.list_groups(""))
    rotated = path.read_text().strip()
    assert rotated != spent

    path.write_text(spent + "\n")  # e.g. a backup restored over the rotated token
    with pytest.raises(ConnectorError) as caught:
        with_api(settings, lambda api: api.list_groups(""))
    message = caught.value.message
    assert caught.value.code == grpc.StatusCode.UNAUTHENTICATED
    assert str(path) in message and "authorise the app again" in message
    assert spent not in message and "\n" not in message
    assert gw.tokens.reuse_detected == 1
    # The service revoked the whole chain: the newest token is refused too.
    path.write_text(rotated + "\n")
    with pytest.raises(ConnectorError, match="no longer valid"):
        with_api(settings, lambda api: api.list_groups(""))


def test_3lo_picks_the_site_from_accessible_resources(make_site: Any, tmp_path: Path) -> None:
    site, gw = make_site()
    settings = oauth_settings(site, gw, oauth_refresh_token_file=str(refresh_file(gw, tmp_path)))
    page = with_api(settings, lambda api: api.list_groups(""))
    assert {group.id for group in page.items} == set(site.state.groups)
    assert site.stats.snapshot().count("GET", "/oauth/token/accessible-resources") == 1
    assert site.stats.snapshot().credentials.get(("site", "none"), 0) == 0  # no tenant_info needed


def test_3lo_for_a_site_the_token_cannot_reach_names_the_sites_it_can(make_site: Any, tmp_path: Path) -> None:
    site, gw = make_site()
    other = "https://not-granted.atlassian.net"
    settings = oauth_settings(site, gw, domain_url=other, oauth_refresh_token_file=str(refresh_file(gw, tmp_path)))
    with pytest.raises(ConnectorError) as caught:
        with_api(settings, lambda api: api.list_groups(""))
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert other in caught.value.message and site.url in caught.value.message


# --- scoped tokens, addresses ---------------------------------------------------------------------
def test_a_gateway_domain_url_needs_no_cloud_id_lookup(make_site: Any) -> None:
    site, gw = make_site()
    settings = ConfluenceSettings(
        domain_url=gw.confluence_url + "/wiki", username=site.spec.username, api_key=site.spec.gateway.scoped_api_token
    )
    page = with_api(settings, lambda api: api.list_groups(""))
    assert {group.id for group in page.items} == set(site.state.groups)
    assert all(key[0] != LISTENER_SITE for key in site.stats.snapshot().credentials)  # the site saw nothing


def test_a_scoped_token_on_the_site_itself_is_refused_by_the_site(make_site: Any) -> None:
    site, _gw = make_site()
    settings = ConfluenceSettings(domain_url=site.url, username=site.spec.username, api_key=site.spec.gateway.scoped_api_token)
    with pytest.raises(ConnectorError) as caught:
        with_api(settings, lambda api: api.list_groups(""))
    assert caught.value.code == grpc.StatusCode.UNAUTHENTICATED  # why --scoped-token exists


def test_validate_through_the_gateway_names_a_missing_scope(make_site: Any) -> None:
    site, gw = make_site(granted_scopes=ALL_SCOPES - {"read:confluence-groups", "read:group:confluence"})
    settings = oauth_settings(site, gw)

    async def go() -> list[Any]:
        connector: ConfluenceConnector = build_connector(settings)
        try:
            return await connector.validate()
        finally:
            await connector.close()

    lines = [m.message for m in ann.find_all(asyncio.run(go()), error_details_pb2.LocalizedMessage)]
    assert any("cannot list groups" in line and "read:confluence-groups" in line for line in lines), lines
    assert gateway_only_at_site(site) == {}


def test_validate_through_the_gateway_finds_nothing_wrong_with_full_scopes(make_site: Any) -> None:
    site, gw = make_site()
    settings = ConfluenceSettings(
        domain_url=site.url,
        username=site.spec.username,
        api_key=site.spec.gateway.scoped_api_token,
        scoped_token=True,
        atlassian_api_url=gw.url,
    )

    async def go() -> list[Any]:
        connector = build_connector(settings)
        try:
            return await connector.validate()
        finally:
            await connector.close()

    assert asyncio.run(go()) == []
    assert gateway_only_at_site(site) == {}


# --- 410 Gone --------------------------------------------------------------------------------------
def test_get_user_falls_back_to_v2_when_v1_is_gone(make_site: Any) -> None:
    site, gw = make_site(v1_gone_for_oauth=("/user",))
    users = sorted(site.state.users.values(), key=lambda u: u.account_id)[:3]

    async def scenario(api: ConfluenceCloudAPI) -> list[Any]:
        return [await api.get_user(user.account_id) for user in users]

    found = with_api(oauth_settings(site, gw), scenario)
    for user, account in zip(users, found, strict=True):
        assert account is not None
        assert (account.id, account.type, account.name) == (user.account_id, user.account_type, user.display_name)
        assert account.active == (user.account_status == "active" and user.account_type != "customer")
    # One 410, then v2 only.
    assert site.stats.snapshot().count("GET", "/wiki/rest/api/user?") == 1
    assert site.stats.snapshot().count("POST", "/wiki/api/v2/users-bulk") == 3


def test_a_gone_v1_write_is_one_line_naming_the_endpoint_and_the_fix(make_site: Any) -> None:
    site, gw = make_site(v1_gone_for_oauth=("/space/",))
    space = next(s for s in site.state.spaces.values() if not s.hidden)
    group = sorted(site.state.groups)[0]

    async def scenario(api: ConfluenceCloudAPI) -> None:
        await api.add_space_permission(
            space.key, subject_type=PRINCIPAL_GROUP, identifier=group, operation_key="read", target="space"
        )

    with pytest.raises(EndpointGone) as caught:
        with_api(oauth_settings(site, gw), scenario)
    message = caught.value.message
    assert f"/wiki/rest/api/space/{space.key}/permission" in message and "--scoped-token" in message
    assert "\n" not in message


# --- quota 429s --------------------------------------------------------------------------------------
def test_quota_429s_are_retried_and_counted_by_reason() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"RateLimit-Reason": "confluence-quota-tenant-based", "Retry-After": "1"}),
            httpx.Response(429, headers={"RateLimit-Reason": "confluence-quota-global-based", "Retry-After": "1"}),
            httpx.Response(200, json={"results": [], "start": 0, "limit": 200, "size": 0}),
        ]
    )

    async def no_wait(_seconds: float) -> None:
        return None

    async def go() -> dict[str, int]:
        transport = httpx.MockTransport(lambda _request: next(answers))
        http = ConfluenceHTTP("https://x.atlassian.net", auth=BasicAuth("u", "t"), transport=transport, sleep=no_wait)
        async with http:
            await ConfluenceCloudAPI(http).list_groups("")
        return dict(http.stats.rate_limited_by_reason)

    assert asyncio.run(go()) == {"confluence-quota-tenant-based": 1, "confluence-quota-global-based": 1}


# --- settings -----------------------------------------------------------------------------------------
BASE = {"domain_url": "https://x.atlassian.net"}


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"oauth_client_id": "id"}, "--oauth-client-secret"),
        ({"oauth_client_secret": "s"}, "--oauth-client-id"),
        ({"oauth_client_id": "id", "oauth_client_secret": "s", "scoped_token": True}, "--scoped-token"),
        ({"oauth_client_id": "id", "oauth_client_secret": "s", "api_key": "k"}, "--api-key"),
        ({"username": "u", "api_key": "k", "cloud_id": "c"}, "--cloud-id"),
        ({"oauth_refresh_token_file": "/no/such/file", "oauth_client_id": "i", "oauth_client_secret": "s"}, "/no/such/file"),
        ({"username": "u", "api_key": "k", "scoped_token": True, "atlassian_api_url": "ftp://x"}, "--atlassian-api-url"),
        (
            {"domain_url": "https://conf.example.com", "personal_access_token": "p", "scoped_token": True},
            "Atlassian Cloud only",
        ),
    ],
)
def test_contradictory_or_incomplete_settings_are_a_usage_error(values: dict[str, Any], needle: str) -> None:
    with pytest.raises(SettingsError, match=needle) as caught:
        build_connector(ConfluenceSettings(**(BASE | values)))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("accepted", ["json", "form"])
def test_the_token_request_body_works_whichever_format_the_service_takes(make_site: Any, accepted: str) -> None:
    site, gw = make_site(token_body=accepted, access_token_max_uses=1)

    async def scenario(api: ConfluenceCloudAPI) -> list[set[str]]:
        return [{group.id for group in (await api.list_groups("")).items} for _ in range(3)]

    assert with_api(oauth_settings(site, gw), scenario) == [set(site.state.groups)] * 3
    assert gw.tokens.minted["client_credentials"] == 3
    # JSON first (Atlassian's examples): a form-only service refuses it once, then never again.
    assert site.stats.snapshot().statuses.get(415, 0) == (1 if accepted == "form" else 0)


def test_transient_answers_of_the_side_services_are_retried() -> None:
    """tenant_info and the token service each answer 503, then 429, then succeed."""
    answers = {
        "/_edge/tenant_info": [httpx.Response(503), httpx.Response(429, headers={"Retry-After": "0"})],
        "/oauth/token": [httpx.Response(503), httpx.Response(429)],
    }
    final = {
        "/_edge/tenant_info": httpx.Response(200, json={"cloudId": "cloud-1"}),
        "/oauth/token": httpx.Response(200, json={"access_token": "fresh", "expires_in": 3600}),
    }
    seen: list[str] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        queue = answers[request.url.path]
        return queue.pop(0) if queue else final[request.url.path]

    def side() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(respond))

    async def no_wait(_seconds: float) -> None:
        return None

    async def go() -> tuple[str, str]:
        cloud_id = await tenant_info_cloud_id("https://x.atlassian.net", side, sleep=no_wait)
        credentials = OAuthCredentials(
            ClientCredentialsGrant("id", "secret"), auth_url="https://auth.example", side_client=side, sleep=no_wait
        )
        return cloud_id, await credentials.authorization()

    assert asyncio.run(go()) == ("cloud-1", "Bearer fresh")
    assert seen == ["/_edge/tenant_info"] * 3 + ["/oauth/token"] * 3
