"""A simulated Confluence site (Cloud, or Data Center) for the demo, end-to-end tests and benchmarks.

    with SimulatedSite(SiteSpec(users=200, spaces=40)) as site:
        client = httpx.Client(base_url=site.url, auth=(site.spec.username, site.spec.api_token))

    with SimulatedSite(SiteSpec(personal_access_token="pat"), flavor=datacenter_flavor()) as dc:
        client = httpx.Client(base_url=dc.site_url, headers={"Authorization": "Bearer pat"})

See FACTS.md (Cloud) and DC_FACTS.md (Data Center) next to this file for the facts behind each behaviour.
"""

from baton_confluence.confluence.simulator.dc_routes import datacenter_flavor
from baton_confluence.confluence.simulator.paging_spec import ALL_V1_LISTINGS, PagingSpec
from baton_confluence.confluence.simulator.server import SimulatedSite
from baton_confluence.confluence.simulator.spec import ALL_FAMILIES, FaultSpec, SiteSpec
from baton_confluence.confluence.simulator.state import SiteState
from baton_confluence.confluence.simulator.stats import SiteStats, StatsSnapshot
from baton_confluence.confluence.simulator.variants_spec import DataVariants

__all__ = [
    "ALL_FAMILIES",
    "ALL_V1_LISTINGS",
    "DataVariants",
    "FaultSpec",
    "PagingSpec",
    "SimulatedSite",
    "SiteSpec",
    "SiteState",
    "SiteStats",
    "StatsSnapshot",
    "datacenter_flavor",
]
