"""Validate, with `--sync-restricted-content`: can the account list the content of a space, with
its restrictions? One request (client `probe_content`); a 410 (the v1 content endpoints retired
for these credentials) and any refusal become findings, never hard failures: the sync skips and
counts such spaces (docs/restricted-content.md)."""

from __future__ import annotations

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import ConfluenceAPI, ContentRestrictionsAPI, EndpointGone, Space
from baton_confluence.confluence.content_types import content_gone_fix
from baton_confluence.confluence.validation.findings import Finding, http_status_of

DENIED_FIX = "give the account view access to the spaces whose restricted content must be synced"


async def check_restricted_content(api: ConfluenceAPI, space: Space | None) -> list[Finding]:
    if space is None or not space.key or not isinstance(api, ContentRestrictionsAPI):
        return []
    try:
        await api.probe_content(space.key)
    except EndpointGone as gone:
        return [Finding("the v1 content listing answers 410 Gone to these credentials", content_gone_fix(gone))]
    except ConnectorError as err:
        return [Finding(f"cannot list the content of space {space.key} ({http_status_of(err)})", DENIED_FIX)]
    return []
