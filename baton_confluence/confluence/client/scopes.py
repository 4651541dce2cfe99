"""The OAuth 2.0 scopes each Cloud endpoint the connector calls needs (docs/auth.md has the table).

From Atlassian's published schemas: v1 operations declare classic scopes, v2 operations granular
ones; where a schema declares none the entry follows the scope page's families and is marked a
guess in docs/auth.md. Used only to word errors: when the gateway answers 401 "scope does not
match", the message names the scopes the call needs, so the operator knows what to add.
"""

from __future__ import annotations

import re

SCOPE_MISMATCH = "scope does not match"

_V1 = "/wiki/rest/api"
_V2 = "/wiki/api/v2"

_TABLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("GET", _V1 + r"/user(/current|/memberof)?", ("read:confluence-user",)),
    ("GET", _V1 + r"/search/user", ("read:confluence-user",)),
    ("GET", _V1 + r"/group(/by-id|/[^/]+/membersByGroupId)?", ("read:confluence-groups",)),
    ("POST", _V1 + r"/group/userByGroupId", ("write:confluence-groups",)),
    ("DELETE", _V1 + r"/group/userByGroupId", ("write:confluence-groups",)),
    ("POST", _V1 + r"/space/[^/]+/permission", ("write:confluence-space",)),
    ("DELETE", _V1 + r"/space/[^/]+/permission/[^/]+", ("write:confluence-space",)),
    ("GET", _V2 + r"/spaces(/[^/]+)?(/permissions)?", ("read:space:confluence",)),
    ("GET", _V2 + r"/space-role-mode", ("read:space.permission:confluence",)),
    ("GET", _V2 + r"/space-roles", ("read:space.permission:confluence",)),
    ("GET", _V2 + r"/spaces/[^/]+/role-assignments", ("read:space.permission:confluence",)),
    ("POST", _V2 + r"/spaces/[^/]+/role-assignments", ("write:space.permission:confluence",)),
    ("POST", _V2 + r"/users-bulk", ("read:user:confluence",)),
)
_COMPILED = tuple((method, re.compile(pattern + "$"), scopes) for method, pattern, scopes in _TABLE)


def scopes_needed(endpoint: str) -> tuple[str, ...]:
    """The scopes `METHOD /path` needs (empty when the table does not know the path)."""
    method, _, path = endpoint.partition(" ")
    for wanted, pattern, scopes in _COMPILED:
        if wanted == method and pattern.match(path):
            return scopes
    return ()


def is_scope_mismatch(api_message: str) -> bool:
    return SCOPE_MISMATCH in api_message.lower()


def missing_scope_fix(endpoint: str) -> str:
    needed = scopes_needed(endpoint)
    named = f"scope {' or '.join(needed)}" if needed else "the scope this call needs"
    return f"the credential lacks {named}: add it to the scoped token or OAuth 2.0 credential (docs/auth.md)"


def gone_fix(endpoint: str) -> str:
    """What to do when the gateway answers 410 Gone (a v1 endpoint withdrawn for OAuth 2.0 tokens)."""
    return (
        f"Atlassian no longer serves {endpoint.partition(' ')[2]} to OAuth 2.0 tokens and it has no v2 "
        "equivalent; run this with a scoped API token (--scoped-token) instead"
    )
