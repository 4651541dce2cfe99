"""`validate_site`: the checks behind `ConfluenceConnector.validate()`, Cloud and Data Center.

Order: sign-in, the RBAC mode and the space listing are hard failures (checked first, so a wrong
URL or credential fails in one request); then every listing the sync reads is probed once and what
is missing becomes a finding. About eight requests in all, none of them a URL the sync fetches.
"""

from __future__ import annotations

import grpc

from baton_confluence.confluence.client import ConfluenceAPI, probes_of, require_space_roles
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.validation.access import (
    check_groups,
    check_space_permissions,
    check_users,
    first_space,
)
from baton_confluence.confluence.validation.findings import Finding, failure
from baton_confluence.confluence.validation.fixes import fixes_for
from baton_confluence.confluence.validation.rbac import check_rbac, check_role_assignments
from baton_confluence.confluence.validation.restricted_content import check_restricted_content
from baton_confluence.confluence.validation.sign_in import sign_in
from baton_confluence.confluence.validation.visibility import check_visibility


async def validate_site(api: ConfluenceAPI, options: ConfluenceOptions) -> list[Finding]:
    """Raises ConnectorError on a hard failure; returns the findings otherwise (in check order)."""
    roles = require_space_roles(api) if options.use_rbac else None  # before any request
    probes = probes_of(api)
    if probes is None:
        # Both products have probes; only a hand-made client can lack them, and passing it silently
        # would report a site as fine that was never checked.
        raise failure(grpc.StatusCode.UNIMPLEMENTED, "this site client has no probes", "use a product's API class")
    fixes = fixes_for(api.deployment)
    user = await sign_in(probes, options.domain_url, fixes)
    if roles is not None:
        await check_rbac(roles)
    space = await first_space(probes)
    findings: list[Finding] = []
    findings += await check_users(probes, fixes)
    findings += await check_groups(probes, fixes)
    if roles is not None:
        if space is not None:
            findings += await check_role_assignments(roles, space.id, fixes.space_admin)
    else:
        findings += await check_space_permissions(probes, space, fixes)
    findings += await check_visibility(probes, user, space, fixes)
    if options.sync_restricted_content:
        findings += await check_restricted_content(api, space)
    return findings
