"""Async HTTP client for Confluence, built for many requests in flight.

- `transport.ConfluenceHTTP`: one shared httpx pool per site, auth, TLS, proxies, retries.
- `governor.RequestGovernor`: concurrency cap with AIMD, optional rps cap, global pauses on
  Retry-After, early slow-down near the rate limit.
- `retry.RetryPolicy`: what is retried and the jittered exponential backoff.
- `pagination.ListingPage`: one page plus a resumable string token.
- `records`: the typed records every API method answers in (Cloud and Data Center alike).
- `contract.ConfluenceAPI`: the core contract both products implement; optional surfaces are
  capability Protocols (`capability_*.py`: `SpaceRolesAPI`, `SiteProbes`) checked with `isinstance`.
- `api.ConfluenceCloudAPI`: the Cloud endpoints, one page per call.
"""

from baton_confluence.confluence.client.api import ConfluenceCloudAPI
from baton_confluence.confluence.client.auth import BasicAuth, BearerAuth, Credentials
from baton_confluence.confluence.client.capability_probes import SiteProbes, probes_of
from baton_confluence.confluence.client.capability_space_roles import (
    SPACE_ROLES_CLOUD_ONLY,
    SpaceRolesAPI,
    require_space_roles,
    space_roles_of,
)
from baton_confluence.confluence.client.contract import ConfluenceAPI, Deployment
from baton_confluence.confluence.client.gateway import GatewayRoute
from baton_confluence.confluence.client.governor import GovernorSettings, RequestGovernor
from baton_confluence.confluence.client.pagination import ListingPage
from baton_confluence.confluence.client.records import (
    Account,
    Group,
    RoleAssignment,
    SignedIn,
    Space,
    SpacePermission,
    SpaceRole,
)
from baton_confluence.confluence.client.redact import redact
from baton_confluence.confluence.client.retry import RetryPolicy
from baton_confluence.confluence.client.stats import RequestStats
from baton_confluence.confluence.client.transport import ConfluenceHTTP, JsonResponse
from baton_confluence.confluence.client.urls import validate_base_url

__all__ = [
    "SPACE_ROLES_CLOUD_ONLY",
    "Account",
    "BasicAuth",
    "BearerAuth",
    "ConfluenceAPI",
    "ConfluenceCloudAPI",
    "ConfluenceHTTP",
    "Credentials",
    "Deployment",
    "GatewayRoute",
    "GovernorSettings",
    "Group",
    "JsonResponse",
    "ListingPage",
    "RequestGovernor",
    "RequestStats",
    "RetryPolicy",
    "RoleAssignment",
    "SignedIn",
    "SiteProbes",
    "Space",
    "SpacePermission",
    "SpaceRole",
    "SpaceRolesAPI",
    "probes_of",
    "redact",
    "require_space_roles",
    "space_roles_of",
    "validate_base_url",
]
