"""Validate: does the account see every space, or only some?

No Confluence API lists the spaces an account cannot view, so what is missing cannot be counted.
What can be told is whether the account is a Confluence administrator (Cloud: `administer` on
`application` among its operations; Data Center 9.2+: it may read the global permissions): an
account that is not one sees only the spaces it was given, and the sync is likely partial. The
per-space check (`access.check_space_permissions`) catches the other half: a space that is listed
but whose permissions the account may not read.
"""

from __future__ import annotations

from baton_confluence.confluence.client import SignedIn, SiteProbes, Space
from baton_confluence.confluence.validation.findings import Finding
from baton_confluence.confluence.validation.fixes import Fixes


async def check_visibility(api: SiteProbes, user: SignedIn, space: Space | None, fixes: Fixes) -> list[Finding]:
    findings = []
    if space is None:
        findings.append(Finding("the account sees no spaces", fixes.partial_visibility))
    if await api.probe_admin(user) is False:
        findings.append(
            Finding(
                "the account is not a Confluence administrator, so the sync may see only some spaces",
                fixes.partial_visibility,
            )
        )
    return findings
