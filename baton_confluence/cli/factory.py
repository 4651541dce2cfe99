"""Building the Confluence connector from settings: the one place the CLI meets the connector.

Cloud or Data Center (docs/datacenter.md):

1. `--deployment cloud|datacenter` decides when given (`server` and `dc` mean datacenter).
2. A `*.atlassian.net` host is Cloud.
3. `--personal-access-token` or `--password` mean Data Center: Cloud accepts neither.
4. Anything else (`--api-key`) is Cloud; a trailing `/wiki` (Cloud's context path) is dropped.
   A Data Center site may live under `/wiki` too, which is why the path alone decides nothing.
No request is made to find out: detection costs no round trip and cannot send credentials to an
endpoint the operator did not expect.

Auth: Cloud is basic auth with the account's email and an API token. Data Center is a personal
access token (`Authorization: Bearer`, takes priority) or basic auth with username and password.
TLS: `--ca-cert` trusts a private CA (a PEM bundle), `--insecure-skip-verify` turns verification
off with a warning; proxies come from HTTP_PROXY / HTTPS_PROXY / NO_PROXY (httpx `trust_env`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import structlog

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.cli.errors import UsageError
from baton_confluence.confluence.client import (
    BasicAuth,
    BearerAuth,
    ConfluenceCloudAPI,
    ConfluenceHTTP,
    Credentials,
    validate_base_url,
)
from baton_confluence.confluence.connector import ConfluenceConnector, build_datacenter_connector
from baton_confluence.confluence.datacenter import dc_catalog
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.permissions import PermissionCatalog
from baton_confluence.confluence.settings import ConfluenceSettings

log = structlog.get_logger("baton_confluence.cli")

PLACEHOLDER_URL = "https://example.atlassian.net"
CLOUD = "cloud"
DATACENTER = "datacenter"
_DEPLOYMENTS = {
    "cloud": CLOUD,
    "datacenter": DATACENTER,
    "data-center": DATACENTER,
    "dc": DATACENTER,
    "server": DATACENTER,
}
CLOUD_HOST_SUFFIX = ".atlassian.net"
CLOUD_CONTEXT = "/wiki"


def options_from(settings: ConfluenceSettings) -> ConfluenceOptions:
    return ConfluenceOptions(
        domain_url=settings.domain_url,
        username=settings.username,
        api_key=settings.api_key,
        nouns=tuple(settings.noun),
        verbs=tuple(settings.verb),
        skip_personal_spaces=settings.skip_personal_spaces,
        use_rbac=settings.use_rbac,
        dense_role_bindings=settings.dense_role_bindings,
        include_space_keys=tuple(settings.include_spaces),
        exclude_space_keys=tuple(settings.exclude_spaces),
        skip_archived_spaces=settings.skip_archived_spaces,
        concurrency=settings.concurrency,
    )


# --- which product ------------------------------------------------------------------------------
def deployment_of(settings: ConfluenceSettings, url: str) -> str:
    """CLOUD or DATACENTER, by the rules in the module docstring."""
    given = settings.deployment.strip().lower()
    if given:
        if given not in _DEPLOYMENTS:
            raise UsageError(f"--deployment must be cloud or datacenter, not {settings.deployment!r}")
        return _DEPLOYMENTS[given]
    if (urlsplit(url).hostname or "").lower().endswith(CLOUD_HOST_SUFFIX):
        return CLOUD
    if settings.personal_access_token or settings.password:
        return DATACENTER
    return CLOUD


def cloud_site_url(url: str) -> str:
    """The Cloud site address without a trailing `/wiki`: API paths already start with it."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path.endswith(CLOUD_CONTEXT):
        path = path[: -len(CLOUD_CONTEXT)]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


# --- credentials --------------------------------------------------------------------------------
def cloud_auth(settings: ConfluenceSettings) -> Credentials:
    if settings.personal_access_token:
        raise UsageError(
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
        raise UsageError(
            f"{names} required ({envs}); create an API token at https://id.atlassian.com/manage/api-tokens"
        )
    return BasicAuth(settings.username, settings.api_key)


def datacenter_auth(settings: ConfluenceSettings) -> Credentials:
    """A personal access token if given (it wins), else username + password."""
    if settings.personal_access_token:
        if settings.password:
            log.info("confluence_auth_choice", detail="--personal-access-token given: --password is not used")
        return BearerAuth(settings.personal_access_token)
    if settings.username and settings.password:
        return BasicAuth(settings.username, settings.password, secret_flag="--password")
    if settings.api_key and not settings.password:
        raise UsageError(
            "Confluence Data Center takes --personal-access-token, or --username with --password; "
            "--api-key is for Confluence Cloud API tokens"
        )
    raise UsageError(
        "Confluence Data Center needs --personal-access-token (BATON_PERSONAL_ACCESS_TOKEN), or --username and "
        "--password (BATON_USERNAME, BATON_PASSWORD)"
    )


# --- building -----------------------------------------------------------------------------------
def _http(settings: ConfluenceSettings, url: str, auth: Credentials) -> ConfluenceHTTP:
    return ConfluenceHTTP(
        url,
        auth=auth,
        max_concurrency=settings.concurrency,
        max_rps=settings.max_rps or None,
        timeout=float(settings.http_timeout_seconds),
        ca_cert=settings.ca_cert or None,
        insecure_skip_verify=settings.insecure_skip_verify,
    )


def _checked_url(value: str) -> str:
    try:
        return validate_base_url(value)
    except ConnectorError as err:
        raise ConnectorError(err.code, f"--domain-url (BATON_DOMAIN_URL): {err.message}") from None


def build_connector(settings: ConfluenceSettings) -> tuple[ConfluenceConnector, Callable[[], int]]:
    """The connector and a function reporting how many API requests it has sent."""
    url = _checked_url(settings.domain_url)
    if deployment_of(settings, url) == DATACENTER:
        return _datacenter_connector(settings, url)
    return _cloud_connector(settings, cloud_site_url(url))


def _cloud_connector(settings: ConfluenceSettings, url: str) -> tuple[ConfluenceConnector, Callable[[], int]]:
    auth = cloud_auth(settings)
    options = replace(options_from(settings), domain_url=url)
    catalog = PermissionCatalog.select(options.nouns, options.verbs)  # an unknown noun fails before any I/O
    http = _http(settings, url, auth)
    connector = ConfluenceConnector(options, ConfluenceCloudAPI(http), catalog=catalog, owns_client=True)
    return connector, lambda: http.stats.total


def _datacenter_connector(settings: ConfluenceSettings, url: str) -> tuple[ConfluenceConnector, Callable[[], int]]:
    auth = datacenter_auth(settings)
    options = replace(options_from(settings), domain_url=url)
    if options.use_rbac:
        raise UsageError("--use-rbac needs Confluence Cloud space roles; Confluence Data Center has none")
    dc_catalog(options.nouns, options.verbs)  # a selection DC cannot hold fails before any client exists
    http = _http(settings, url, auth)
    connector = build_datacenter_connector(options, http)
    log.info("confluence_deployment", deployment=DATACENTER, site=url, auth=type(auth).__name__)
    return connector, lambda: http.stats.total


def capabilities_connector() -> ConfluenceConnector:
    """Every resource type the connector can sync (RBAC ones included), without credentials or I/O."""
    options = ConfluenceOptions(domain_url=PLACEHOLDER_URL, use_rbac=True)
    http = ConfluenceHTTP(PLACEHOLDER_URL, auth=BasicAuth("capabilities", "no-secret-needed"))
    return ConfluenceConnector(options, ConfluenceCloudAPI(http))
