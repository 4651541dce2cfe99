"""How the connector reaches a Confluence Cloud site: which credential, and which address.

Four setups (docs/auth.md, README "Authentication"):

1. classic API token (`--username` + `--api-key`): basic auth, straight to the site;
2. scoped API token (`--scoped-token`, same two flags; service accounts can only create these):
   basic auth through the API gateway, because the site answers scoped tokens with 401;
3. OAuth 2.0 client credentials (`--oauth-client-id` + `--oauth-client-secret`): Bearer tokens
   minted at the token service, through the gateway;
4. OAuth 2.0 (3LO): the same plus `--oauth-refresh-token-file`.

Through the gateway the cloudId comes from `--cloud-id`, from a `--domain-url` that is already a
gateway URL, from accessible-resources (3LO), or else from the site's `/_edge/tenant_info`; it is
looked up lazily, at the first call (building the connector makes no request). Browser links in
the c1z keep the site's address. Contradictory flags are a usage error naming both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import structlog

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import (
    USER_AGENT,
    ClientCredentialsGrant,
    Credentials,
    GatewayRoute,
    OAuthCredentials,
    RefreshTokenFile,
    RefreshTokenGrant,
    SideClient,
    accessible_resources_cloud_id,
    gateway_address,
    tenant_info_cloud_id,
    tls_verify,
    validate_base_url,
)
from baton_confluence.confluence.settings import ConfluenceSettings, SettingsError

log = structlog.get_logger("baton_confluence.confluence.cloud_access")

SIDE_CLIENT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class CloudConnection:
    """Where the HTTP client sends requests (`base_url`, plus `route`'s prefix through the gateway)
    and with which credential; `kind` names the setup for logs."""

    base_url: str
    auth: Credentials
    route: GatewayRoute | None
    kind: str


def uses_gateway_flags(settings: ConfluenceSettings) -> list[str]:
    """The Cloud-gateway flags that are set (none of them means anything to Data Center)."""
    flags = {
        "--scoped-token": settings.scoped_token,
        "--cloud-id": settings.cloud_id,
        "--oauth-client-id": settings.oauth_client_id,
        "--oauth-client-secret": settings.oauth_client_secret,
        "--oauth-refresh-token-file": settings.oauth_refresh_token_file,
    }
    return [flag for flag, value in flags.items() if value]


def cloud_connection(
    settings: ConfluenceSettings, site_url: str, api_token_auth: Callable[[], Credentials]
) -> CloudConnection:
    """The connection for the Cloud site at `site_url` (already normalised), by the rules above."""
    oauth = bool(settings.oauth_client_id or settings.oauth_client_secret or settings.oauth_refresh_token_file)
    address = gateway_address(site_url)
    _check_combination(settings, oauth=oauth, gateway_url=address is not None)
    if not oauth and not settings.scoped_token and address is None:
        return CloudConnection(site_url, api_token_auth(), None, "api-token")
    api_url = address.api_url if address is not None else _flag_url("--atlassian-api-url", settings.atlassian_api_url)
    cloud_id = settings.cloud_id.strip() or (address.cloud_id if address is not None else "")
    if address is not None and settings.cloud_id and settings.cloud_id.strip() != address.cloud_id:
        raise SettingsError(
            f"--cloud-id {settings.cloud_id!r} contradicts the cloudId in --domain-url ({address.cloud_id!r}); "
            "pass one of them"
        )
    side = side_client(settings)
    if not oauth:
        route = GatewayRoute.fixed(cloud_id) if cloud_id else GatewayRoute(lambda: tenant_info_cloud_id(site_url, side))
        return CloudConnection(api_url, api_token_auth(), route, "scoped-token")
    credentials = _oauth_credentials(settings, side)
    if cloud_id:
        route = GatewayRoute.fixed(cloud_id)
    elif settings.oauth_refresh_token_file:
        route = GatewayRoute(lambda: accessible_resources_cloud_id(api_url, site_url, credentials.authorization, side))
    else:
        route = GatewayRoute(lambda: tenant_info_cloud_id(site_url, side))
    kind = "oauth-3lo" if settings.oauth_refresh_token_file else "oauth-client-credentials"
    return CloudConnection(api_url, credentials, route, kind)


def side_client(settings: ConfluenceSettings) -> SideClient:
    """Plain clients (no credential by default) for the token service and the cloudId lookups,
    trusting the same CA as the site's client."""
    verify = tls_verify(settings.ca_cert or None, settings.insecure_skip_verify, "the token service")
    timeout = httpx.Timeout(min(float(settings.http_timeout_seconds), SIDE_CLIENT_TIMEOUT_S))

    def make() -> httpx.AsyncClient:
        return httpx.AsyncClient(
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            timeout=timeout,
            verify=verify,
            trust_env=True,
            follow_redirects=False,
        )

    return make


def _oauth_credentials(settings: ConfluenceSettings, side: SideClient) -> OAuthCredentials:
    auth_url = _flag_url("--atlassian-auth-url", settings.atlassian_auth_url)
    if settings.oauth_refresh_token_file:
        token_file = RefreshTokenFile(settings.oauth_refresh_token_file)
        problem = token_file.problem()
        if problem is not None:
            raise SettingsError(problem)
        grant: ClientCredentialsGrant | RefreshTokenGrant = RefreshTokenGrant(
            settings.oauth_client_id, settings.oauth_client_secret, token_file
        )
    else:
        grant = ClientCredentialsGrant(settings.oauth_client_id, settings.oauth_client_secret)
    return OAuthCredentials(grant, auth_url=auth_url, side_client=side)


def _check_combination(settings: ConfluenceSettings, *, oauth: bool, gateway_url: bool) -> None:
    if oauth:
        missing = [
            flag
            for flag, value in (
                ("--oauth-client-id (BATON_OAUTH_CLIENT_ID)", settings.oauth_client_id),
                ("--oauth-client-secret (BATON_OAUTH_CLIENT_SECRET)", settings.oauth_client_secret),
            )
            if not value
        ]
        if missing:
            raise SettingsError(f"OAuth 2.0 needs {' and '.join(missing)} as well")
        if settings.scoped_token:
            raise SettingsError("--scoped-token and --oauth-client-id are two different credentials; pass one of them")
        if settings.api_key:
            raise SettingsError(
                "--api-key and --oauth-client-id are two different credentials; pass one of them "
                "(unset BATON_API_KEY for OAuth 2.0)"
            )
    elif settings.cloud_id and not settings.scoped_token and not gateway_url:
        raise SettingsError(
            "--cloud-id is used only through the API gateway: add --scoped-token (a scoped API token) or "
            "--oauth-client-id/--oauth-client-secret"
        )


def _flag_url(flag: str, value: str) -> str:
    try:
        return validate_base_url(value)
    except ConnectorError as err:
        raise SettingsError(f"{flag}: {err.message}") from None
