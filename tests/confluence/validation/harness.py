"""Running Validate in-process against a simulated site (Cloud or Data Center)."""

from __future__ import annotations

import asyncio
from typing import Any

from confluence_simulator import SimulatedSite
from google.rpc import error_details_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.confluence.client import BasicAuth, BearerAuth, ConfluenceCloudAPI, ConfluenceHTTP
from baton_confluence.confluence.connector import ConfluenceConnector
from baton_confluence.confluence.datacenter import ConfluenceDataCenterAPI
from baton_confluence.confluence.options import ConfluenceOptions

PAT = "validate-pat"


def connector_for(site: SimulatedSite, *, use_rbac: bool = False, token: str = PAT) -> ConfluenceConnector:
    options = ConfluenceOptions(domain_url=site.site_url, use_rbac=use_rbac)
    if site.flavor.name == "datacenter":
        http = ConfluenceHTTP(site.site_url, auth=BearerAuth(token), max_attempts=1)
        return ConfluenceConnector(options, ConfluenceDataCenterAPI(http), owns_client=True)
    http = ConfluenceHTTP(site.url, auth=BasicAuth(site.spec.username, site.spec.api_token), max_attempts=1)
    return ConfluenceConnector(options, ConfluenceCloudAPI(http), owns_client=True)


def validate(site: SimulatedSite, **kwargs: Any) -> list[str]:
    """The finding lines Validate returns (raises its ConnectorError on a hard failure)."""

    async def go() -> list[Any]:
        connector = connector_for(site, **kwargs)
        try:
            return await connector.validate()
        finally:
            await connector.close()

    return [message.message for message in (ann.find_all(asyncio.run(go()), error_details_pb2.LocalizedMessage))]
