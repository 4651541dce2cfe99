"""The site's identity (the id of the `site` resource, docs/site-and-activity.md).

Cloud: the cloudId, from `GET <site>/_edge/tenant_info` (through the API gateway, from the gateway
route, which found it once: client/gateway.py) (`{"cloudId": ...}`, documented by
Atlassian's "retrieve my site's cloud id" article). One request per client, cached: the site
resource and the org admin API readers (which tell this site's entries from those of the
organization's other sites) both ask for it.

Data Center: the configured base URL without its scheme (`host[:port]/context`), no request. It is
the same across syncs as long as the connector is configured with the same address; the
server's own `baseUrl` (`/server-information`) is not used because sites older than 9.1 lack it,
and an id that changed on upgrade would make every site grant look revoked and re-granted.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client.capability_site import SiteIdentity
from baton_confluence.confluence.client.transport import ConfluenceHTTP

TENANT_INFO = "/_edge/tenant_info"


class CloudSiteIdentity:
    def __init__(self, http: ConfluenceHTTP, site_url: str = "") -> None:
        self.http = http
        self.site_name = site_host(site_url or http.base_url)
        self._found: SiteIdentity | None = None
        self._lock = asyncio.Lock()

    async def site_identity(self) -> SiteIdentity:
        async with self._lock:
            if self._found is None:
                self._found = await self._read()
        return self._found

    async def _read(self) -> SiteIdentity:
        if self.http.route is not None:
            # Through the gateway (docs/auth.md) the base URL is the gateway, not the site, and the
            # route already found the cloudId once (without sending the credential to the site).
            return SiteIdentity(id=await self.http.route.cloud_id(), name=self.site_name)
        host = site_host(self.http.base_url)
        body = (await self.http.get_json(TENANT_INFO)).json_object()
        cloud_id = body.get("cloudId")
        if not isinstance(cloud_id, str) or not cloud_id:
            raise ConnectorError(
                grpc.StatusCode.UNAVAILABLE,
                f"baton-confluence: {TENANT_INFO} answered without a cloudId; is {host} a Confluence Cloud site?",
            )
        return SiteIdentity(id=cloud_id, name=host)


def site_host(base_url: str) -> str:
    return urlsplit(base_url).hostname or base_url


def instance_identity(base_url: str) -> SiteIdentity:
    """The Data Center instance's identity, from the configured base URL (module docstring)."""
    parts = urlsplit(base_url)
    return SiteIdentity(id=parts.netloc + parts.path.rstrip("/"), name=site_host(base_url))
