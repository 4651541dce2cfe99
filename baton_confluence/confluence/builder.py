"""`build_connector`: the Confluence connector from its settings, the one builder (used by the CLI's
commands, service mode and the tests). Every client setting reaches the HTTP client: the site's
CA (`--ca-cert`, `--insecure-skip-verify`), `--concurrency`, `--max-rps` and the HTTP timeout.

Cloud or Data Center (docs/datacenter.md):

1. `--deployment cloud|datacenter` decides when given (`server` and `dc` mean datacenter).
2. A `*.atlassian.net` host is Cloud.
3. `--personal-access-token` or `--password` mean Data Center: Cloud accepts neither.
4. Anything else (`--api-key`) is Cloud; a trailing `/wiki` (Cloud's context path) is dropped.
   A Data Center site may live under `/wiki` too, which is why the path alone decides nothing.
No request is made to find out (nor to build the connector): detection costs no round trip and
cannot send credentials to an endpoint the operator did not expect.

Auth: Cloud is basic auth with the account's email and an API token, straight to the site or (a scoped
token) through Atlassian's API gateway, or OAuth 2.0 through the gateway (cloud_access.py). Data Center is a personal
access token (`Authorization: Bearer`, takes priority) or basic auth with username and password.
TLS: `--ca-cert` trusts a private CA (a PEM bundle), `--insecure-skip-verify` turns verification
off with a warning; proxies come from HTTP_PROXY / HTTPS_PROXY / NO_PROXY (httpx `trust_env`).
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import structlog

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import (
    BasicAuth,
    BearerAuth,
    ConfluenceAPI,
    ConfluenceCloudAPI,
    ConfluenceHTTP,
    Credentials,
    Deployment,
    GatewayRoute,
    OrgAdmin,
    org_admin_client,
    validate_base_url,
)
from baton_confluence.confluence.cloud_access import cloud_connection, uses_gateway_flags
from baton_confluence.confluence.connector import ConfluenceConnector, permission_catalog
from baton_confluence.confluence.datacenter import ConfluenceDataCenterAPI
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.settings import ConfluenceSettings, SettingsError

log = structlog.get_logger("baton_confluence.confluence.builder")

PLACEHOLDER_URL = "https://example.atlassian.net"
_DEPLOYMENTS = {
    "cloud": Deployment.CLOUD,
    "datacenter": Deployment.DATACENTER,
    "data-center": Deployment.DATACENTER,
    "dc": Deployment.DATACENTER,
    "server": Deployment.DATACENTER,
}
CLOUD_HOST_SUFFIX = ".atlassian.net"
CLOUD_CONTEXT = "/wiki"


def build_connector(settings: ConfluenceSettings) -> ConfluenceConnector:
    """The connector for the site in `settings`, with its own HTTP client (closed by `close()`).

    Configuration errors (a missing credential, a mode the product lacks, an unknown noun) are
    raised here, before any request."""
    url = _checked_url(settings.domain_url)
    deployment = deployment_of(settings, url)
    base_url, route = url, None
    if deployment is Deployment.CLOUD:
        url = cloud_site_url(url)
        connection = cloud_connection(settings, url, lambda: cloud_auth(settings))
        auth, base_url, route = connection.auth, connection.base_url, connection.route
        if route is not None:
            log.info("confluence_gateway", auth=connection.kind, gateway=base_url, site=url)
    else:
        auth = datacenter_auth(settings)
    options = replace(options_from(settings), domain_url=url)
    catalog = permission_catalog(deployment, options)  # an impossible selection fails before any client exists
    org_admin = org_admin_of(settings, deployment)
    http = http_client(settings, base_url, auth, route=route)
    api: ConfluenceAPI = (
        ConfluenceCloudAPI(http, site_url=url) if deployment is Deployment.CLOUD else ConfluenceDataCenterAPI(http)
    )
    connector = ConfluenceConnector(options, api, catalog=catalog, owns_client=True, org_admin=org_admin)
    if deployment is Deployment.DATACENTER:
        log.info("confluence_deployment", deployment=deployment.value, site=url, auth=type(auth).__name__)
    return connector


def capabilities_connector() -> ConfluenceConnector:
    """Every resource type the connector can sync (RBAC ones included), without credentials or I/O."""
    options = ConfluenceOptions(domain_url=PLACEHOLDER_URL, use_rbac=True, sync_restricted_content=True)
    http = ConfluenceHTTP(PLACEHOLDER_URL, auth=BasicAuth("capabilities", "no-secret-needed"))
    return ConfluenceConnector(options, ConfluenceCloudAPI(http))


def options_from(settings: ConfluenceSettings) -> ConfluenceOptions:
    return ConfluenceOptions(
        domain_url=settings.domain_url,
        nouns=tuple(settings.noun),
        verbs=tuple(settings.verb),
        skip_personal_spaces=settings.skip_personal_spaces,
        use_rbac=settings.use_rbac,
        dense_role_bindings=settings.dense_role_bindings,
        include_space_keys=tuple(settings.include_spaces),
        exclude_space_keys=tuple(settings.exclude_spaces),
        skip_archived_spaces=settings.skip_archived_spaces,
        concurrency=settings.concurrency,
        last_activity=settings.last_activity,
        sync_restricted_content=settings.sync_restricted_content,
    )


def http_client(
    settings: ConfluenceSettings, url: str, auth: Credentials, *, route: GatewayRoute | None = None
) -> ConfluenceHTTP:
    """The site's HTTP client, with every client setting applied (`route`: through the gateway)."""
    return ConfluenceHTTP(
        url,
        auth=auth,
        route=route,
        max_concurrency=settings.concurrency,
        max_rps=settings.max_rps or None,
        timeout=float(settings.http_timeout_seconds),
        ca_cert=settings.ca_cert or None,
        insecure_skip_verify=settings.insecure_skip_verify,
    )


def org_admin_of(settings: ConfluenceSettings, deployment: Deployment) -> OrgAdmin | None:
    """The organization admin API client (Cloud, with --org-id and --org-api-key), or None.

    `--last-activity` on Cloud without both is a usage error, raised before any request."""
    if deployment is Deployment.DATACENTER:
        if settings.org_id or settings.org_api_key:
            log.info("confluence_org_admin_ignored", detail="--org-id/--org-api-key are for Confluence Cloud")
        return None
    given = [flag for flag, value in (("--org-id", settings.org_id), ("--org-api-key", settings.org_api_key)) if value]
    if settings.last_activity and len(given) < 2:
        raise SettingsError(
            "--last-activity on Confluence Cloud needs --org-id and --org-api-key (BATON_ORG_ID, BATON_ORG_API_KEY): "
            "last activity comes from the organization admin API; create a key at admin.atlassian.com > Settings > "
            "API keys"
        )
    if len(given) == 1:
        missing = "--org-api-key" if given == ["--org-id"] else "--org-id"
        raise SettingsError(f"{given[0]} needs {missing} too (the organization admin API takes both)")
    if not given:
        return None
    try:
        url = validate_base_url(settings.admin_api_url)
    except ConnectorError as err:
        raise ConnectorError(err.code, f"--admin-api-url (BATON_ADMIN_API_URL): {err.message}") from None
    return org_admin_client(
        url,
        settings.org_id,
        settings.org_api_key,
        max_rps=settings.admin_api_max_rps or None,
        timeout=float(settings.http_timeout_seconds),
        ca_cert=settings.ca_cert or None,
    )


# --- which product ------------------------------------------------------------------------------
def deployment_of(settings: ConfluenceSettings, url: str) -> Deployment:
    """Cloud or Data Center, by the rules in the module docstring."""
    given = settings.deployment.strip().lower()
    if given:
        if given not in _DEPLOYMENTS:
            raise SettingsError(f"--deployment must be cloud or datacenter, not {settings.deployment!r}")
        return _DEPLOYMENTS[given]
    if (urlsplit(url).hostname or "").lower().endswith(CLOUD_HOST_SUFFIX):
        return Deployment.CLOUD
    if settings.personal_access_token or settings.password:
        return Deployment.DATACENTER
    return Deployment.CLOUD


def cloud_site_url(url: str) -> str:
    """The Cloud site address without a trailing `/wiki`: API paths already start with it."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path.endswith(CLOUD_CONTEXT):
        path = path[: -len(CLOUD_CONTEXT)]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _checked_url(value: str) -> str:
    try:
        return validate_base_url(value)
    except ConnectorError as err:
        raise ConnectorError(err.code, f"--domain-url (BATON_DOMAIN_URL): {err.message}") from None


# --- credentials --------------------------------------------------------------------------------
def cloud_auth(settings: ConfluenceSettings) -> Credentials:
    if settings.personal_access_token:
        raise SettingsError(
            "--personal-access-token is for Confluence Data Center; Confluence Cloud uses --username (the "
            "account's email) and --api-key (an API token from https://id.atlassian.com/manage/api-tokens); "
            "for a Data Center site at this address pass --deployment datacenter"
        )
    missing = [
        flag for flag, value in (("--username", settings.username), ("--api-key", settings.api_key)) if not value
    ]
    if missing:
        names = " and ".join(missing)
        envs = " and ".join("BATON_" + m[2:].upper().replace("-", "_") for m in missing)
        raise SettingsError(
            f"{names} required ({envs}); create an API token at https://id.atlassian.com/manage/api-tokens"
        )
    return BasicAuth(settings.username, settings.api_key)


def datacenter_auth(settings: ConfluenceSettings) -> Credentials:
    """A personal access token if given (it wins), else username + password."""
    gateway_flags = uses_gateway_flags(settings)
    if gateway_flags:
        raise SettingsError(
            f"{', '.join(gateway_flags)}: Atlassian Cloud only (the API gateway and OAuth 2.0); "
            "Confluence Data Center takes --personal-access-token, or --username with --password"
        )
    if settings.personal_access_token:
        if settings.password:
            log.info("confluence_auth_choice", detail="--personal-access-token given: --password is not used")
        return BearerAuth(settings.personal_access_token)
    if settings.username and settings.password:
        return BasicAuth(settings.username, settings.password, secret_flag="--password")
    if settings.api_key and not settings.password:
        raise SettingsError(
            "Confluence Data Center takes --personal-access-token, or --username with --password; "
            "--api-key is for Confluence Cloud API tokens"
        )
    raise SettingsError(
        "Confluence Data Center needs --personal-access-token (BATON_PERSONAL_ACCESS_TOKEN), or --username and "
        "--password (BATON_USERNAME, BATON_PASSWORD)"
    )
