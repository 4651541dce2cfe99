"""What a sync of a simulated site must contain, computed from the site's own state."""

from __future__ import annotations

from dataclasses import dataclass

from baton_confluence.confluence.permissions import PermissionCatalog
from baton_confluence.confluence.simulator.state import SiteState


@dataclass
class Expected:
    users: dict[str, bool]  # account id -> enabled
    groups: set[str]
    spaces: set[str]
    member_grants: set[str]
    direct_grants: set[str]
    expanded_grants: set[str]


def expected(
    state: SiteState, nouns: tuple[str, ...] = (), verbs: tuple[str, ...] = (), skip_personal: bool = False
) -> Expected:
    in_groups = {m for g in state.groups.values() for m in g.members}
    humans = {
        uid: user.active
        for uid, user in state.users.items()
        if user.account_type == "atlassian" and (uid in state.search_all or uid in in_groups)
    }
    slugs = {(p.verb, p.noun) for p in PermissionCatalog.select(nouns, verbs).permissions}
    spaces = {s.id: s for s in state.spaces.values() if not s.hidden and not (skip_personal and s.type == "personal")}
    member_grants = {f"group:{g.id}:member:user:{m}" for g in state.groups.values() for m in g.members if m in humans}
    direct: set[str] = set()
    expanded: set[str] = set()
    for space_id in spaces:
        for perm in state.space_permissions(space_id):
            if (perm.key, perm.target) not in slugs:
                continue
            ent = f"space:{space_id}:{perm.key}-{perm.target}"
            if perm.principal_type == "user" and perm.principal_id in humans:
                direct.add(f"{ent}:user:{perm.principal_id}")
            elif perm.principal_type == "group":
                direct.add(f"{ent}:group:{perm.principal_id}")
                expanded.update(f"{ent}:user:{m}" for m in state.groups[perm.principal_id].members if m in humans)
    return Expected(humans, set(state.groups), {str(s) for s in spaces}, member_grants, direct, expanded - direct)
