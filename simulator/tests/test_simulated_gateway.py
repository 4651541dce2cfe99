"""The simulated API gateway and token service as a product: each behaviour and switch, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from confluence_simulator import GatewaySpec, PagingSpec, SimulatedGateway, SimulatedSite, SiteSpec
from confluence_simulator.site_global import cloud_id_of

SPEC = SiteSpec(seed=41, users=8, groups=4, spaces=5, paging=PagingSpec(page_cap=2, v2_page_cap=2))


@pytest.fixture
def servers(request: pytest.FixtureRequest) -> Iterator[tuple[SimulatedSite, SimulatedGateway]]:
    gateway_spec = getattr(request, "param", GatewaySpec())
    site_spec = replace(SPEC, gateway=gateway_spec)
    with SimulatedSite(site_spec) as site, SimulatedGateway(site) as gateway:
        yield site, gateway


def scoped(site: SimulatedSite) -> tuple[str, str]:
    return site.spec.username, site.spec.gateway.scoped_api_token


def mint(gateway: SimulatedGateway, **body: str) -> httpx.Response:
    spec = gateway.spec
    fields = {"grant_type": "client_credentials", "client_id": spec.oauth_client_id, "client_secret": spec.oauth_client_secret}
    return httpx.post(gateway.url + "/oauth/token", json=fields | body)


def test_tenant_info_needs_no_credential(servers: tuple[SimulatedSite, SimulatedGateway]) -> None:
    site, _gateway = servers
    answer = httpx.get(site.url + "/_edge/tenant_info")
    assert answer.status_code == 200 and answer.json() == {"cloudId": cloud_id_of(site.spec)}


def test_the_site_refuses_gateway_credentials_and_the_gateway_takes_them(
    servers: tuple[SimulatedSite, SimulatedGateway],
) -> None:
    site, gateway = servers
    bearer = {"Authorization": "Bearer " + mint(gateway).json()["access_token"]}
    assert httpx.get(site.url + "/wiki/rest/api/group", auth=scoped(site)).status_code == 401
    assert httpx.get(site.url + "/wiki/rest/api/group", headers=bearer).status_code == 401
    assert httpx.get(gateway.confluence_url + "/wiki/rest/api/group", auth=scoped(site)).status_code == 200
    assert httpx.get(gateway.confluence_url + "/wiki/rest/api/group", headers=bearer).status_code == 200
    classic = (site.spec.username, site.spec.api_token)
    assert httpx.get(gateway.confluence_url + "/wiki/rest/api/group", auth=classic).status_code == 401
    assert httpx.get(gateway.url + "/ex/confluence/not-this-site/wiki/rest/api/group", auth=scoped(site)).status_code == 404
    seen = site.stats.snapshot().credentials
    assert seen[("site", "basic-scoped")] == 1 and seen[("site", "bearer")] == 1
    assert seen[("gateway", "basic-scoped")] == 2 and seen[("gateway", "bearer")] == 1


def test_links_through_the_gateway_point_at_the_site_or_drop_the_prefix(
    servers: tuple[SimulatedSite, SimulatedGateway],
) -> None:
    site, gateway = servers
    v2 = httpx.get(gateway.confluence_url + "/wiki/api/v2/spaces", params={"limit": 250}, auth=scoped(site)).json()
    assert len(v2["results"]) == 2
    assert v2["_links"]["next"].startswith("/wiki/api/v2/spaces?")
    assert v2["_links"]["base"] == site.url + "/wiki"
    v1 = httpx.get(gateway.confluence_url + "/wiki/rest/api/group", auth=scoped(site)).json()
    assert v1["_links"]["next"].startswith("/rest/api/group?") and v1["_links"]["base"] == site.url + "/wiki"


@pytest.mark.parametrize("servers", [GatewaySpec(access_token_max_uses=2)], indirect=True)
def test_an_access_token_ends_after_its_uses(servers: tuple[SimulatedSite, SimulatedGateway]) -> None:
    _site, gateway = servers
    bearer = {"Authorization": "Bearer " + mint(gateway).json()["access_token"]}
    statuses = [httpx.get(gateway.confluence_url + "/wiki/api/v2/spaces", headers=bearer).status_code for _ in range(3)]
    assert statuses == [200, 200, 401]


def test_a_wrong_client_secret_is_access_denied(servers: tuple[SimulatedSite, SimulatedGateway]) -> None:
    _site, gateway = servers
    answer = mint(gateway, client_secret="wrong")
    assert answer.status_code == 401 and answer.json()["error"] == "access_denied"


def test_refresh_tokens_rotate_and_a_reused_one_revokes_the_chain(servers: tuple[SimulatedSite, SimulatedGateway]) -> None:
    _site, gateway = servers
    first = gateway.tokens.current_refresh_token
    answer = mint(gateway, grant_type="refresh_token", refresh_token=first).json()
    second = answer["refresh_token"]
    assert second != first and gateway.tokens.current_refresh_token == second
    bearer = {"Authorization": "Bearer " + answer["access_token"]}
    assert httpx.get(gateway.confluence_url + "/wiki/api/v2/spaces", headers=bearer).status_code == 200
    reused = mint(gateway, grant_type="refresh_token", refresh_token=first)
    assert reused.status_code == 403 and reused.json()["error"] == "invalid_grant"
    # The chain is revoked: its newest refresh token and its access tokens stop working too.
    assert mint(gateway, grant_type="refresh_token", refresh_token=second).status_code == 403
    assert httpx.get(gateway.confluence_url + "/wiki/api/v2/spaces", headers=bearer).status_code == 401


def test_an_ended_chain_refuses_its_current_token(servers: tuple[SimulatedSite, SimulatedGateway]) -> None:
    _site, gateway = servers
    gateway.tokens.end_chains()
    answer = mint(gateway, grant_type="refresh_token", refresh_token=gateway.tokens.current_refresh_token)
    assert answer.status_code == 403 and answer.json()["error"] == "invalid_grant"


def test_accessible_resources_lists_the_site_for_a_bearer_only(servers: tuple[SimulatedSite, SimulatedGateway]) -> None:
    site, gateway = servers
    bearer = {"Authorization": "Bearer " + mint(gateway).json()["access_token"]}
    sites = httpx.get(gateway.url + "/oauth/token/accessible-resources", headers=bearer).json()
    assert {"id": cloud_id_of(site.spec), "url": site.url} in [{"id": s["id"], "url": s["url"]} for s in sites]
    assert len(sites) == 2  # and a decoy
    assert httpx.get(gateway.url + "/oauth/token/accessible-resources", auth=scoped(site)).status_code == 401


@pytest.mark.parametrize("servers", [GatewaySpec(granted_scopes=frozenset({"read:space:confluence"}))], indirect=True)
def test_a_missing_scope_is_a_401_saying_scope_does_not_match(servers: tuple[SimulatedSite, SimulatedGateway]) -> None:
    site, gateway = servers
    assert httpx.get(gateway.confluence_url + "/wiki/api/v2/spaces", auth=scoped(site)).status_code == 200
    refused = httpx.get(gateway.confluence_url + "/wiki/rest/api/group", auth=scoped(site))
    assert refused.status_code == 401 and refused.json()["message"] == "Unauthorized; scope does not match"


@pytest.mark.parametrize("servers", [GatewaySpec(v1_gone_for_oauth=("/user", "/space/"))], indirect=True)
def test_v1_paths_gone_for_oauth_only(servers: tuple[SimulatedSite, SimulatedGateway]) -> None:
    site, gateway = servers
    bearer = {"Authorization": "Bearer " + mint(gateway).json()["access_token"]}
    account = sorted(site.state.users)[0]
    user = gateway.confluence_url + "/wiki/rest/api/user"
    assert httpx.get(user, params={"accountId": account}, headers=bearer).status_code == 410
    assert httpx.get(user, params={"accountId": account}, auth=scoped(site)).status_code == 200
    assert httpx.get(user + "/current", headers=bearer).status_code == 200  # "/user" is that path only
    space = next(s for s in site.state.spaces.values() if not s.hidden)
    write = gateway.confluence_url + f"/wiki/rest/api/space/{space.key}/permission"
    assert httpx.post(write, json={}, headers=bearer).status_code == 410  # "/space/" is the subtree


@pytest.mark.parametrize(
    ("servers", "refused"),
    [(GatewaySpec(token_body="json"), "form"), (GatewaySpec(token_body="form"), "json")],
    indirect=["servers"],
)
def test_a_token_service_may_take_one_body_format_only(servers: tuple[SimulatedSite, SimulatedGateway], refused: str) -> None:
    _site, gateway = servers
    spec = gateway.spec
    fields = {"grant_type": "client_credentials", "client_id": spec.oauth_client_id, "client_secret": spec.oauth_client_secret}
    as_json = httpx.post(gateway.url + "/oauth/token", json=fields)
    as_form = httpx.post(gateway.url + "/oauth/token", data=fields)
    assert (as_json.status_code, as_form.status_code) == ((415, 200) if refused == "json" else (200, 415))
