"""The OAuth 2.0 scopes each simulated endpoint needs through the gateway (FACTS.md §Gateway scopes).

From Atlassian's published schemas: v1 operations declare classic scopes (`read:confluence-user`,
`read:confluence-groups`, `write:confluence-groups`), v2 operations granular ones. Where a schema
declares none (user search, group by id, space permission writes, space-role-mode) the entry is a
guess and marked so. A call passes when the credential holds ANY of the listed scopes.
"""

from __future__ import annotations

import re

_V1 = "/wiki/rest/api"
_V2 = "/wiki/api/v2"

_TABLE: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("GET", _V1 + r"/user(/current|/memberof)?", frozenset({"read:confluence-user", "read:user:confluence"})),
    # guess: the schema declares no scope for the CQL user search
    ("GET", _V1 + r"/search/user", frozenset({"read:confluence-user", "search:confluence"})),
    ("GET", _V1 + r"/group(/by-id|/[^/]+/membersByGroupId)?", frozenset({"read:confluence-groups", "read:group:confluence"})),
    ("POST", _V1 + r"/group/userByGroupId", frozenset({"write:confluence-groups", "write:group:confluence"})),
    ("DELETE", _V1 + r"/group/userByGroupId", frozenset({"write:confluence-groups", "write:group:confluence"})),
    # guess: the schema declares none (and says apps cannot use these at all)
    ("POST", _V1 + r"/space/[^/]+/permission", frozenset({"write:confluence-space", "write:space.permission:confluence"})),
    ("DELETE", _V1 + r"/space/[^/]+/permission/[^/]+", frozenset({"write:confluence-space", "write:space.permission:confluence"})),
    ("GET", _V2 + r"/spaces(/[^/]+)?(/permissions)?", frozenset({"read:space:confluence"})),
    ("GET", _V2 + r"/space-role-mode", frozenset({"read:space.permission:confluence"})),  # guess: none declared
    ("GET", _V2 + r"/space-roles", frozenset({"read:space.permission:confluence"})),
    ("GET", _V2 + r"/spaces/[^/]+/role-assignments", frozenset({"read:space.permission:confluence"})),
    ("POST", _V2 + r"/spaces/[^/]+/role-assignments", frozenset({"write:space.permission:confluence"})),
    ("POST", _V2 + r"/users-bulk", frozenset({"read:user:confluence"})),
)
_COMPILED = tuple((method, re.compile(pattern + "$"), scopes) for method, pattern, scopes in _TABLE)

ALL_SCOPES = frozenset(scope for _m, _p, scopes in _TABLE for scope in scopes)


def scopes_for(method: str, path: str) -> frozenset[str]:
    """The scopes any one of which lets `method path` through; empty for paths not in the table."""
    for wanted_method, pattern, scopes in _COMPILED:
        if wanted_method == method and pattern.match(path):
            return scopes
    return frozenset()
