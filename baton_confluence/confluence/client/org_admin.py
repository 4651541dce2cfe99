"""The Atlassian organization admin API (`https://api.atlassian.com/admin/...`): its own HTTP
client, for `--last-activity` and the Confluence product roles on Cloud.

It reuses `ConfluenceHTTP` (retries, stats, redaction, TLS) with **its own** `RequestGovernor`,
so its pace and its 429 pauses never slow the site's own requests: it runs beside the sweep,
within its own share of the rate limit (`--admin-api-max-rps`). The key (`--org-api-key`) is
sent as `Authorization: Bearer` and never logged (it is one of the client's secrets).
"""

from __future__ import annotations

from dataclasses import dataclass

from baton_confluence.confluence.client.auth import BearerAuth
from baton_confluence.confluence.client.transport import ConfluenceHTTP

ADMIN_CONCURRENCY = 4


@dataclass(frozen=True)
class OrgApiKey(BearerAuth):
    """An organization admin API key: a Bearer token whose 401 names its own flag."""

    @property
    def hint(self) -> str:
        return "check --org-api-key (an API key of organization --org-id, from admin.atlassian.com > Settings > API keys)"


@dataclass(frozen=True)
class OrgAdmin:
    """The organization and a client for its admin API."""

    org_id: str
    http: ConfluenceHTTP


def org_admin_client(
    url: str, org_id: str, api_key: str, *, max_rps: float | None, timeout: float, ca_cert: str | None = None
) -> OrgAdmin:
    http = ConfluenceHTTP(
        url,
        auth=OrgApiKey(api_key),
        max_concurrency=ADMIN_CONCURRENCY,
        max_rps=max_rps,
        timeout=timeout,
        ca_cert=ca_cert,
    )
    return OrgAdmin(org_id, http)
