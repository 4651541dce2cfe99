"""A simulated Confluence Cloud site for the demo, end-to-end tests and benchmarks.

    with SimulatedSite(SiteSpec(users=200, spaces=40)) as site:
        client = httpx.Client(base_url=site.url, auth=(site.spec.username, site.spec.api_token))

See FACTS.md (next to this file) for the Atlassian facts each behaviour rests on.
"""

from baton_confluence.confluence.simulator.server import SimulatedSite
from baton_confluence.confluence.simulator.spec import ALL_FAMILIES, FaultSpec, SiteSpec
from baton_confluence.confluence.simulator.state import SiteState
from baton_confluence.confluence.simulator.stats import SiteStats, StatsSnapshot

__all__ = ["ALL_FAMILIES", "FaultSpec", "SimulatedSite", "SiteSpec", "SiteState", "SiteStats", "StatsSnapshot"]
