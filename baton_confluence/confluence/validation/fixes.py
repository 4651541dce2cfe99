"""The fix to print for each problem, per product: Cloud and Data Center name permissions differently."""

from __future__ import annotations

from dataclasses import dataclass

from baton_confluence.confluence.client import Deployment
from baton_confluence.confluence.datacenter import REMOTE_API_FIX


@dataclass(frozen=True)
class Fixes:
    admin: str  # the global permission that lets an account see users, groups and spaces
    sign_in_rejected: str
    sign_in_forbidden: str
    sign_in_not_found: str
    anonymous: str
    space_admin: str
    partial_visibility: str
    permissions_api: str = ""  # no API to read space permissions with (Data Center only)


CLOUD = Fixes(
    admin="give the account the Confluence administrator role (site admin)",
    sign_in_rejected="--username must be the account's email and --api-key an Atlassian API token (not the password)",
    sign_in_forbidden="give the account access to Confluence on this site",
    sign_in_not_found="check --domain-url: it must be the site address, e.g. https://example.atlassian.net",
    anonymous="--username must be the account's email and --api-key an Atlassian API token (not the password)",
    space_admin="give the account the Admin permission in every space to sync",
    partial_visibility="make the account a Confluence administrator with view and Admin permission in every space "
    "(Confluence lists only the spaces an account can view; the others are missing from the sync)",
)

DATACENTER = Fixes(
    admin="give the account the Confluence Administrator (or System Administrator) global permission",
    sign_in_rejected="check --personal-access-token (it may have expired), or --username and --password",
    sign_in_forbidden="give the account the 'Can use' global permission",
    sign_in_not_found="check --domain-url: it must be the base URL including any context path, "
    "e.g. https://confluence.example.com/confluence",
    anonymous="Confluence treats an unknown personal access token as the anonymous user when anonymous access is on "
    "(CONFSERVER-98199): check --personal-access-token, or use --username and --password",
    space_admin="give the account the Admin permission in every space to sync",
    partial_visibility="give the account the Confluence Administrator global permission and view and Admin "
    "permission in every space (Confluence lists only the spaces an account can view; the others are missing "
    "from the sync)",
    permissions_api=REMOTE_API_FIX,
)


def fixes_for(deployment: Deployment) -> Fixes:
    return DATACENTER if deployment is Deployment.DATACENTER else CLOUD
