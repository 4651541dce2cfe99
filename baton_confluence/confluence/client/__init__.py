"""Async HTTP client for Confluence, built for many requests in flight.

- `transport.ConfluenceHTTP`: one shared httpx pool per site, auth, TLS, proxies, retries.
- `governor.RequestGovernor`: concurrency cap with AIMD, optional rps cap, global pauses on
  Retry-After, early slow-down near the rate limit.
- `retry.RetryPolicy`: what is retried and the jittered exponential backoff.
- `pagination.ListingPage`: one page plus a resumable string token.
- `records`: the typed records every API method answers in (Cloud and Data Center alike).
- `contract.ConfluenceAPI`: the one contract both products implement, with capability attributes.
- `api.ConfluenceCloudAPI`: the Cloud endpoints, one page per call.
"""

from baton_confluence.confluence.client.api import ConfluenceCloudAPI
from baton_confluence.confluence.client.auth import BasicAuth, BearerAuth, Credentials
from baton_confluence.confluence.client.contract import ConfluenceAPI, Deployment, require_space_roles
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
    "Space",
    "SpacePermission",
    "SpaceRole",
    "redact",
    "require_space_roles",
    "validate_base_url",
]
