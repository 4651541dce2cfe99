"""Building the Confluence connector from settings: the one place the CLI meets the connector."""

from __future__ import annotations

from collections.abc import Callable

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.cli.errors import UsageError
from baton_confluence.confluence.client import BasicAuth, ConfluenceCloudAPI, ConfluenceHTTP, validate_base_url
from baton_confluence.confluence.connector import ConfluenceConnector
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.permissions import PermissionCatalog
from baton_confluence.confluence.settings import ConfluenceSettings

PLACEHOLDER_URL = "https://example.atlassian.net"


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


def _require(settings: ConfluenceSettings) -> None:
    missing = [
        flag for flag, value in (("--username", settings.username), ("--api-key", settings.api_key)) if not value
    ]
    if missing:
        names = " and ".join(missing)
        envs = " and ".join("BATON_" + m[2:].upper().replace("-", "_") for m in missing)
        raise UsageError(
            f"{names} required ({envs}); create an API token at https://id.atlassian.com/manage/api-tokens"
        )


def build_connector(settings: ConfluenceSettings) -> tuple[ConfluenceConnector, Callable[[], int]]:
    """The connector and a function reporting how many API requests it has sent."""
    _require(settings)
    try:
        validate_base_url(settings.domain_url)
    except ConnectorError as err:
        raise ConnectorError(err.code, f"--domain-url (BATON_DOMAIN_URL): {err.message}") from None
    options = options_from(settings)
    catalog = PermissionCatalog.select(options.nouns, options.verbs)  # an unknown noun fails before any I/O
    http = ConfluenceHTTP(
        options.domain_url,
        auth=BasicAuth(options.username, options.api_key),
        max_concurrency=settings.concurrency,
        max_rps=settings.max_rps or None,
        timeout=float(settings.http_timeout_seconds),
        ca_cert=settings.ca_cert or None,
        insecure_skip_verify=settings.insecure_skip_verify,
    )
    connector = ConfluenceConnector(options, ConfluenceCloudAPI(http), catalog=catalog, owns_client=True)
    return connector, lambda: http.stats.total


def capabilities_connector() -> ConfluenceConnector:
    """Every resource type the connector can sync (RBAC ones included), without credentials or I/O."""
    options = ConfluenceOptions(domain_url=PLACEHOLDER_URL, use_rbac=True)
    http = ConfluenceHTTP(PLACEHOLDER_URL, auth=BasicAuth("capabilities", "no-secret-needed"))
    return ConfluenceConnector(options, ConfluenceCloudAPI(http))
