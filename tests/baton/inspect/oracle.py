"""What inspect must answer about a synced simulated site, computed from the site's state alone
(on top of tests/e2e/expected.py, which says which grants a complete sync holds)."""

from __future__ import annotations

from dataclasses import dataclass

from confluence_simulator.state import PRINCIPAL_GROUP, SiteState

from baton_confluence.confluence.permissions import PermissionCatalog
from tests.e2e.expected import expected

DIRECT = ""


@dataclass(frozen=True, order=True)
class Route:
    principal: str  # `<type>:<id>`
    entitlement: str
    via: str  # DIRECT, or the group it comes through, `group:<id>`


def _split(grant_id: str) -> tuple[str, str]:
    """(entitlement id, principal) of a grant id: entitlement ids here are `<type>:<id>:<slug>`
    with no colon inside id or slug, and the principal is the rest."""
    parts = grant_id.split(":")
    return ":".join(parts[:3]), ":".join(parts[3:])


def routes(state: SiteState) -> set[Route]:
    """Every (principal, entitlement, route) of a complete default sync of the site."""
    want = expected(state)
    out = {Route(p, e, DIRECT) for e, p in map(_split, want.member_grants | want.direct_grants)}
    selected = {(p.verb, p.noun) for p in PermissionCatalog.select().permissions}
    for space_id in want.spaces:
        for perm in state.space_permissions(int(space_id)):
            if perm.principal_type != PRINCIPAL_GROUP or (perm.key, perm.target) not in selected:
                continue
            entitlement = f"space:{space_id}:{perm.key}-{perm.target}"
            for member in state.groups[perm.principal_id].members:
                out.add(Route(f"user:{member}", entitlement, f"group:{perm.principal_id}"))
    return out


def routes_of(state: SiteState, principal: str) -> set[Route]:
    return {r for r in routes(state) if r.principal == principal}
