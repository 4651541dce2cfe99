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
from baton_confluence.confluence.client.capability_content_restrictions import (
    RESTRICTION_WRITES_UNSUPPORTED,
    ContentItem,
    ContentRestrictionsAPI,
    ContentRestrictionWritesAPI,
    ContentType,
    RestrictionList,
    RestrictionOperation,
    RestrictionSubject,
    SubjectType,
)
from baton_confluence.confluence.client.capability_last_activity import (
    LastActive,
    LastActivityReader,
    NoDate,
    parse_instant,
)
from baton_confluence.confluence.client.capability_probes import SiteProbes, probes_of
from baton_confluence.confluence.client.capability_site import (
    GlobalPermission,
    GlobalPermissionListing,
    GlobalPermissionReader,
    SiteIdentity,
    SiteIdentityReader,
)
from baton_confluence.confluence.client.capability_space_roles import (
    SPACE_ROLES_CLOUD_ONLY,
    SpaceRolesAPI,
    require_space_roles,
    space_roles_of,
)
from baton_confluence.confluence.client.content_restrictions import DATACENTER_SUBJECT_IDS, ContentRestrictionReads
from baton_confluence.confluence.client.contract import ConfluenceAPI, Deployment
from baton_confluence.confluence.client.errors import EndpointGone, MissingScopeError
from baton_confluence.confluence.client.gateway import (
    GatewayRoute,
    SideClient,
    accessible_resources_cloud_id,
    gateway_address,
    tenant_info_cloud_id,
)
from baton_confluence.confluence.client.governor import GovernorSettings, RequestGovernor
from baton_confluence.confluence.client.oauth import ClientCredentialsGrant, OAuthCredentials, RefreshTokenGrant
from baton_confluence.confluence.client.org_admin import OrgAdmin, org_admin_client
from baton_confluence.confluence.client.org_last_activity import OrgLastActivity
from baton_confluence.confluence.client.org_product_roles import OrgProductRoles
from baton_confluence.confluence.client.org_user_roles import OrgUserRoles
from baton_confluence.confluence.client.pagination import ListingPage, any_item, parsed, v1_page, v1_start
from baton_confluence.confluence.client.records import (
    ACCOUNT_TYPE_APP,
    ACCOUNT_TYPE_ATLASSIAN,
    ACCOUNT_TYPE_CUSTOMER,
    Account,
    Group,
    RoleAssignment,
    SignedIn,
    Space,
    SpacePermission,
    SpaceRole,
    ident,
    obj,
    parse_all,
    text,
)
from baton_confluence.confluence.client.redact import redact
from baton_confluence.confluence.client.retry import RetryPolicy
from baton_confluence.confluence.client.site_identity import instance_identity
from baton_confluence.confluence.client.stats import RequestStats
from baton_confluence.confluence.client.token_file import RefreshTokenFile
from baton_confluence.confluence.client.transport import (
    USER_AGENT,
    ConfluenceHTTP,
    JsonResponse,
    found_or_none,
    tls_verify,
)
from baton_confluence.confluence.client.urls import QueryParams, api_path, validate_base_url

__all__ = [
    "ACCOUNT_TYPE_APP",
    "ACCOUNT_TYPE_ATLASSIAN",
    "ACCOUNT_TYPE_CUSTOMER",
    "DATACENTER_SUBJECT_IDS",
    "RESTRICTION_WRITES_UNSUPPORTED",
    "SPACE_ROLES_CLOUD_ONLY",
    "USER_AGENT",
    "Account",
    "BasicAuth",
    "BearerAuth",
    "ClientCredentialsGrant",
    "ConfluenceAPI",
    "ConfluenceCloudAPI",
    "ConfluenceHTTP",
    "ContentItem",
    "ContentRestrictionReads",
    "ContentRestrictionWritesAPI",
    "ContentRestrictionsAPI",
    "ContentType",
    "Credentials",
    "Deployment",
    "EndpointGone",
    "GatewayRoute",
    "GlobalPermission",
    "GlobalPermissionListing",
    "GlobalPermissionReader",
    "GovernorSettings",
    "Group",
    "JsonResponse",
    "LastActive",
    "LastActivityReader",
    "ListingPage",
    "MissingScopeError",
    "NoDate",
    "OAuthCredentials",
    "OrgAdmin",
    "OrgLastActivity",
    "OrgProductRoles",
    "OrgUserRoles",
    "QueryParams",
    "RefreshTokenFile",
    "RefreshTokenGrant",
    "RequestGovernor",
    "RequestStats",
    "RestrictionList",
    "RestrictionOperation",
    "RestrictionSubject",
    "RetryPolicy",
    "RoleAssignment",
    "SideClient",
    "SignedIn",
    "SiteIdentity",
    "SiteIdentityReader",
    "SiteProbes",
    "Space",
    "SpacePermission",
    "SpaceRole",
    "SpaceRolesAPI",
    "SubjectType",
    "accessible_resources_cloud_id",
    "any_item",
    "api_path",
    "found_or_none",
    "gateway_address",
    "ident",
    "instance_identity",
    "obj",
    "org_admin_client",
    "parse_all",
    "parse_instant",
    "parsed",
    "probes_of",
    "redact",
    "require_space_roles",
    "space_roles_of",
    "tenant_info_cloud_id",
    "text",
    "tls_verify",
    "v1_page",
    "v1_start",
    "validate_base_url",
]
