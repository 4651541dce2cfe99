"""A product flavour: which routes a site serves and how it authenticates.

Cloud is the only flavour today (`cloud_routes.CLOUD`). A Data Center flavour would provide its own
router (paths under its context path, `/rest/api/...`) and authenticator (basic or PAT), and
reuse the generator, state, pagination, error shapes and the whole server pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from baton_confluence.confluence.simulator.routing import Request, Router
from baton_confluence.confluence.simulator.spec import SiteSpec
from baton_confluence.confluence.simulator.state import SiteState


@dataclass(frozen=True)
class Flavor:
    name: str
    build_router: Callable[[SiteState, SiteSpec], Router]
    # Raises ApiError (401) unless the request carries credentials the site accepts.
    authenticate: Callable[[SiteSpec, Request], None]
