"""`validate_site`: the checks behind `ConfluenceConnector.validate()`, Cloud and Data Center.

Order: sign-in, the RBAC mode and the space listing are hard failures (checked first, so a wrong
URL or credential fails in one request); then every listing the sync reads is probed once and what
is missing becomes a finding. About eight requests in all, none of them a URL the sync fetches.
"""

from __future__ import annotations

from typing import Any

from baton_confluence.confluence.client import ConfluenceAPI
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.validation.access import (
    check_groups,
    check_space_permissions,
    check_users,
    first_space,
)
from baton_confluence.confluence.validation.findings import Finding, report
from baton_confluence.confluence.validation.fixes import fixes_for
from baton_confluence.confluence.validation.rbac import check_rbac, check_role_assignments
from baton_confluence.confluence.validation.restricted_content import check_restricted_content
from baton_confluence.confluence.validation.sign_in import sign_in
from baton_confluence.confluence.validation.visibility import check_visibility


async def validate_site(api: ConfluenceAPI, options: ConfluenceOptions) -> list[Any]:
    """Raises ConnectorError on a hard failure; returns one annotation per finding otherwise."""
    fixes = fixes_for(api.deployment)
    user = await sign_in(api, options.domain_url, fixes)
    if options.use_rbac:
        await check_rbac(api)
    space = await first_space(api)
    findings: list[Finding] = []
    findings += await check_users(api, fixes)
    findings += await check_groups(api, fixes)
    if options.use_rbac:
        if space is not None:
            findings += await check_role_assignments(api, space.id, fixes.space_admin)
    else:
        findings += await check_space_permissions(api, space, fixes)
    findings += await check_visibility(api, user, space, fixes)
    if options.sync_restricted_content:
        findings += await check_restricted_content(api, space)
    return report(findings)
