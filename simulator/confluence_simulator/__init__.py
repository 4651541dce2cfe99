"""A simulated Confluence site (Cloud, or Data Center) for the demo, end-to-end tests and benchmarks.

    with SimulatedSite(SiteSpec(users=200, spaces=40)) as site:
        client = httpx.Client(base_url=site.url, auth=(site.spec.username, site.spec.api_token))

    with SimulatedSite(SiteSpec(personal_access_token="pat"), flavor=datacenter_flavor()) as dc:
        client = httpx.Client(base_url=dc.site_url, headers={"Authorization": "Bearer pat"})

See FACTS.md (Cloud) and DC_FACTS.md (Data Center) next to this file for the facts behind each behaviour.
"""

from confluence_simulator.dc_routes import datacenter_flavor
from confluence_simulator.gateway import SimulatedGateway
from confluence_simulator.gateway_spec import GatewaySpec
from confluence_simulator.paging_spec import ALL_V1_LISTINGS, PagingSpec
from confluence_simulator.server import SimulatedSite
from confluence_simulator.spec import ALL_FAMILIES, FaultSpec, SiteSpec
from confluence_simulator.state import SiteState
from confluence_simulator.stats import SiteStats, StatsSnapshot
from confluence_simulator.variants_spec import DataVariants

__all__ = [
    "ALL_FAMILIES",
    "ALL_V1_LISTINGS",
    "DataVariants",
    "FaultSpec",
    "GatewaySpec",
    "PagingSpec",
    "SimulatedGateway",
    "SimulatedSite",
    "SiteSpec",
    "SiteState",
    "SiteStats",
    "StatsSnapshot",
    "datacenter_flavor",
]
