"""What the simulated API gateway and token service do: credentials, lifetimes, switches (FACTS.md §Gateway).

The gateway (`<api>/ex/confluence/<cloudId>/wiki/...`) accepts scoped API tokens (basic auth with
`scoped_api_token`) and OAuth 2.0 access tokens (Bearer) minted by the token service; the site
itself answers both with 401. Defaults behave like Atlassian's documentation says; every switch
plays a behaviour that sources report or leave open.
"""

from __future__ import annotations

from dataclasses import dataclass

SCOPE_MISMATCH_MESSAGE = "Unauthorized; scope does not match"


@dataclass(frozen=True)
class GatewaySpec:
    scoped_api_token: str = "simulated-scoped-token"  # with SiteSpec.username, basic auth, gateway only
    oauth_client_id: str = "simulated-client-id"
    oauth_client_secret: str = "simulated-client-secret"
    # The first refresh token of the 3LO chain (each refresh answers a new one and spends the old).
    refresh_token: str = "simulated-refresh-token-0"
    access_token_lifetime_s: int = 3600  # `expires_in`, and enforced by the service's clock
    # A token stops working after this many gateway calls (None: only time ends it): expiry in the
    # middle of a sync, deterministically, whatever the machine's speed.
    access_token_max_uses: int | None = None
    # Scopes every gateway credential holds; None: every scope (the scope table is gateway_scopes.py).
    granted_scopes: frozenset[str] | None = None
    # v1 paths (under /wiki/rest/api; a trailing "/" takes every path below) answered 410 Gone to
    # OAuth tokens, as reported for some deprecated v1 content and space endpoints since August 2026
    # (FACTS.md §Gateway). Which ones is not known: tests pick.
    v1_gone_for_oauth: tuple[str, ...] = ()
    # Which token request bodies the token service takes: "any" (JSON or form), "json" or "form";
    # Atlassian's examples send JSON, RFC 6749 says form, neither is promised for both grants.
    token_body: str = "any"
    # Sent with each 429 the gateway passes on for an OAuth token (points-based quotas).
    oauth_rate_limit_reason: str = "confluence-quota-tenant-based"
