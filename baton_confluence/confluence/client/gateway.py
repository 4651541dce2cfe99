"""Atlassian's API gateway: `<api-url>/ex/confluence/<cloudId>` + the site's `/wiki/...` paths.

Scoped API tokens and OAuth 2.0 access tokens work only there; the site itself answers them with
401 (docs/auth.md). The gateway needs the site's cloudId, found once, before the first call:

- `--cloud-id`, or a `--domain-url` that is already a gateway URL: no request;
- API tokens: `GET <site>/_edge/tenant_info`, which needs no credential, so none is sent;
- OAuth 2.0 (3LO): `GET <api-url>/oauth/token/accessible-resources`, the sites the token may
  reach, matched by the site URL (a 3LO app can be granted several sites).

`GatewayRoute` holds the result; `ConfluenceHTTP` prefixes every request path with it, so request
accounting, log lines and error messages keep naming the site's `/wiki/...` paths.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import grpc
import httpx
import structlog

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client.errors import PREFIX, api_error_message
from baton_confluence.confluence.client.side_requests import Sleep, send_with_retries

log = structlog.get_logger("baton_confluence.confluence.client.gateway")

DEFAULT_API_URL = "https://api.atlassian.com"
TENANT_INFO_PATH = "/_edge/tenant_info"
ACCESSIBLE_RESOURCES_PATH = "/oauth/token/accessible-resources"
_GATEWAY_PATH = re.compile(r"^(?P<root>.*)/ex/confluence/(?P<cloud>[^/]+)(?:/wiki)?/?$")

# Builds a plain client (no credential in its default headers) for one request to another host.
SideClient = Callable[[], httpx.AsyncClient]


@dataclass(frozen=True)
class GatewayAddress:
    """A gateway URL taken apart: the gateway's root (`https://api.atlassian.com`) and the cloudId."""

    api_url: str
    cloud_id: str


def gateway_address(url: str) -> GatewayAddress | None:
    """The gateway root and cloudId of `https://<gateway>/ex/confluence/<cloudId>[/wiki]`, else None."""
    parts = urlsplit(url)
    match = _GATEWAY_PATH.match(parts.path)
    if match is None:
        return None
    return GatewayAddress(f"{parts.scheme}://{parts.netloc}{match.group('root')}", match.group("cloud"))


def gateway_prefix(cloud_id: str) -> str:
    """The path prefix of every call through the gateway (the site's `/wiki/...` path follows)."""
    return "/ex/confluence/" + quote(cloud_id, safe="")


class GatewayRoute:
    """The gateway prefix, found by `find_cloud_id` at most once (concurrent first calls wait)."""

    def __init__(self, find_cloud_id: Callable[[], Awaitable[str]]) -> None:
        self._find = find_cloud_id
        self._cloud_id = ""
        self._prefix = ""
        self._lock = asyncio.Lock()

    @classmethod
    def fixed(cls, cloud_id: str) -> GatewayRoute:
        async def given() -> str:
            return cloud_id

        return cls(given)

    async def cloud_id(self) -> str:
        """The site's cloudId (also the `site` resource's id, client/site_identity.py)."""
        if self._cloud_id:
            return self._cloud_id
        async with self._lock:
            if not self._cloud_id:
                cloud_id = await self._find()
                log.info("confluence_gateway_route", cloud_id=cloud_id)
                self._prefix = gateway_prefix(cloud_id)
                self._cloud_id = cloud_id
        return self._cloud_id

    async def prefix(self) -> str:
        if not self._prefix:
            await self.cloud_id()
        return self._prefix


async def tenant_info_cloud_id(site_url: str, side_client: SideClient, *, sleep: Sleep = asyncio.sleep) -> str:
    """The cloudId the site publishes at `/_edge/tenant_info` (no credential is sent there)."""
    url = site_url.rstrip("/") + TENANT_INFO_PATH
    data = await _get_json(side_client, url, headers={}, what=f"GET {url}", fix="pass --cloud-id", sleep=sleep)
    cloud_id = data.get("cloudId") if isinstance(data, dict) else None
    if not isinstance(cloud_id, str) or not cloud_id:
        raise ConnectorError(
            grpc.StatusCode.FAILED_PRECONDITION,
            f"{PREFIX}: GET {url} gave no cloudId; is --domain-url an Atlassian Cloud site? Pass --cloud-id "
            "(admin.atlassian.com shows it) to skip this lookup",
        )
    return cloud_id


async def accessible_resources_cloud_id(
    api_url: str, site_url: str, authorization: Callable[[], Awaitable[str]], side_client: SideClient
) -> str:
    """The cloudId of `site_url` among the sites an OAuth 2.0 (3LO) token may reach."""
    url = api_url.rstrip("/") + ACCESSIBLE_RESOURCES_PATH
    headers = {"Authorization": await authorization()}
    data = await _get_json(side_client, url, headers=headers, what=f"GET {url}", fix="pass --cloud-id")
    sites = [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
    wanted = _site_key(site_url)
    for item in sites:
        if isinstance(item.get("url"), str) and _site_key(item["url"]) == wanted and isinstance(item.get("id"), str):
            return str(item["id"])
    reachable = ", ".join(str(item.get("url")) for item in sites) or "none"
    raise ConnectorError(
        grpc.StatusCode.FAILED_PRECONDITION,
        f"{PREFIX}: the OAuth 2.0 token may not reach {site_url} (it may reach: {reachable}); authorise the app "
        "for that site, or correct --domain-url",
    )


def _site_key(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


async def _get_json(
    side_client: SideClient, url: str, *, headers: dict[str, str], what: str, fix: str, sleep: Sleep = asyncio.sleep
) -> Any:
    async with side_client() as client:
        response = await send_with_retries(lambda: client.get(url, headers=headers), endpoint=what, fix=fix, sleep=sleep)
    status = response.status_code
    if status != 200:
        detail = api_error_message(response.content)
        code = grpc.StatusCode.FAILED_PRECONDITION
        if status == 401:
            code = grpc.StatusCode.UNAUTHENTICATED
        elif status == 429 or status >= 500:
            code = grpc.StatusCode.UNAVAILABLE
        raise ConnectorError(code, f"{PREFIX}: {what}: HTTP {status}{': ' + detail if detail else ''}; {fix}")
    try:
        return response.json()
    except ValueError:
        return None
