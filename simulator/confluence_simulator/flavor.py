"""A product flavour: which routes a site serves, how it authenticates, how it reports its rate limit.

Cloud (`cloud_routes.CLOUD`) serves `/wiki/...` at the root; Data Center (`dc_routes.datacenter_flavor`)
serves `/rest/api/...` under a context path (e.g. `/confluence`), with PAT or basic auth and DC's
token-bucket headers. Both reuse the generator, state, pagination, error shapes and server pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from confluence_simulator.routing import Request, Router
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import SiteState


@dataclass(frozen=True)
class Flavor:
    name: str
    build_router: Callable[[SiteState, SiteSpec], Router]
    # Raises ApiError (401) unless the request carries credentials the site accepts.
    authenticate: Callable[[SiteSpec, Request], None]
    context_path: str = ""  # where the application lives under the host ("" for Cloud's root)
    rate_style: str = "cloud"  # which rate-limit headers the site sends: "cloud" or "datacenter"
