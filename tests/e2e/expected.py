"""What a COMPLETE sync of a simulated Cloud site must contain, computed from the site's own state.

The test oracle: it reads `SiteState` only, never the connector. Representation (the target the
connector is moving to):

- every account is a `user` resource, whatever its accountType; its trait's account type is HUMAN
  for `atlassian` and `customer` accounts, SERVICE for `app` accounts;
- an account is in the sync when some listing or some grant reaches it: the user search (up to
  the site's search ceiling, under any sitePermissionTypeFilter), any group's member list, or a
  user principal of any selected permission of a synced space (and of a role assignment, when the sync
  reads role assignments). Accounts that none of these reach are `unreachable_users`: the
  documented limit of Cloud's user listing, which a sync can only report;
- a principal that the site's user lookup answers 404 for (a deleted account) is still a user
  resource, with status DELETED;
- group membership grants go to every member; space-permission grants keep every principal:
  users, groups, space roles (`space_role:<roleId>` when the principal is a role of the site) and,
  for anything else, `access_class:<principal id as the site sends it>`;
- grants of a group are expanded to every member; roles and access classes are not expanded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from confluence_simulator.state import PRINCIPAL_GROUP, PRINCIPAL_ROLE, PRINCIPAL_USER, SiteState, User

from baton_confluence.confluence.permissions import PermissionCatalog

ENABLED = "enabled"
DISABLED = "disabled"
DELETED = "deleted"
HUMAN = "human"
SERVICE = "service"
UNKNOWN_TYPE = None  # a deleted account: the lookup's 404 tells no account type


@dataclass
class Expected:
    users: dict[str, tuple[str, str | None]]  # account id -> (ENABLED|DISABLED|DELETED, HUMAN|SERVICE|UNKNOWN_TYPE)
    unreachable_users: set[str]  # accounts the site holds that no listing and no grant reaches
    groups: set[str]
    spaces: set[str]
    member_grants: set[str]
    direct_grants: set[str]
    expanded_grants: set[str]  # group grants given to every member, minus the direct ones
    access_classes: set[str]  # principal ids granted as access_class
    space_roles: set[str]  # every role of the site's catalogue
    skipped_pairs: Counter[tuple[str, str]]  # (verb, noun) permission rows outside the selection


def expected(
    state: SiteState,
    nouns: tuple[str, ...] = (),
    verbs: tuple[str, ...] = (),
    skip_personal: bool = False,
    search_cap: int = 10_000,
    role_assignments: bool = False,
) -> Expected:
    """`search_cap` must be the site's (`SiteSpec.search_cap`); `role_assignments` says whether the
    sync reads role assignments (RBAC mode), whose user principals it then reaches too."""
    spaces = sorted(
        s.id for s in state.spaces.values() if not s.hidden and not (skip_personal and s.type == "personal")
    )
    selected = {(p.verb, p.noun) for p in PermissionCatalog.select(nouns, verbs).permissions}
    # A permission outside the selection is not synced, so it reaches nobody.
    reached = (
        _searchable(state, search_cap)
        | {m for g in state.groups.values() for m in g.members}
        | {
            p.principal_id
            for s in spaces
            for p in state.space_permissions(s)
            if p.principal_type == PRINCIPAL_USER and (p.key, p.target) in selected
        }
    )
    if role_assignments:
        reached |= {
            pid for s in spaces for (ptype, pid) in state.space_role_assignments(s) if ptype == "USER"
        }
    users = {aid: _user_status(state.users.get(aid)) for aid in reached}

    direct: set[str] = set()
    expanded: set[str] = set()
    access_classes: set[str] = set()
    skipped: Counter[tuple[str, str]] = Counter()
    for space_id in spaces:
        for perm in state.space_permissions(space_id):
            if (perm.key, perm.target) not in selected:
                skipped[(perm.key, perm.target)] += 1
                continue
            entitlement = f"space:{space_id}:{perm.key}-{perm.target}"
            principal = _principal(state, perm.principal_type, perm.principal_id)
            direct.add(f"{entitlement}:{principal}")
            if perm.principal_type == PRINCIPAL_GROUP:
                expanded.update(f"{entitlement}:user:{m}" for m in state.groups[perm.principal_id].members)
            elif principal.startswith("access_class:"):
                access_classes.add(perm.principal_id)

    return Expected(
        users=users,
        unreachable_users=set(state.users) - reached,
        groups=set(state.groups),
        spaces={str(s) for s in spaces},
        member_grants={f"group:{g.id}:member:user:{m}" for g in state.groups.values() for m in g.members},
        direct_grants=direct,
        expanded_grants=expanded - direct,
        access_classes=access_classes,
        space_roles={r.id for r in state.roles},
        skipped_pairs=skipped,
    )


def _searchable(state: SiteState, search_cap: int) -> set[str]:
    """Accounts some user search returns: each sitePermissionTypeFilter's order stops at the cap."""
    return {a for order in (state.search_all, state.search_licensed, state.search_guests) for a in order[:search_cap]}


def _user_status(user: User | None) -> tuple[str, str | None]:
    """(status, account type) of an account; None is an account the user lookup answers 404 for."""
    if user is None:
        return (DELETED, UNKNOWN_TYPE)
    kind = SERVICE if user.account_type == "app" else HUMAN
    # The site shows no operations for inactive, closed and customer (portal-only) accounts
    # (FACTS.md §v1: empty operations = cannot use Confluence).
    usable = user.active and user.account_type != "customer"
    return (ENABLED if usable else DISABLED, kind)


def _principal(state: SiteState, principal_type: str, principal_id: str) -> str:
    """The grant's principal part, `<resource type>:<id>`."""
    if principal_type in (PRINCIPAL_USER, PRINCIPAL_GROUP):
        return f"{principal_type}:{principal_id}"
    if principal_type == PRINCIPAL_ROLE and principal_id in state.roles_by_id:
        return f"space_role:{principal_id}"
    return f"access_class:{principal_id}"
