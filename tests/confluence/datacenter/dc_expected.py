"""What a sync of the simulated Data Center site must contain, from the site's own state.

Ids as the connector emits them on Data Center: users by user key, groups by name, spaces by
numeric id; only the permission pairs Data Center has (the DC catalog), only DC users.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from confluence_simulator import SimulatedSite
from confluence_simulator.dc_directory import user_key_of
from confluence_simulator.state import Space

from baton_confluence.confluence.datacenter import dc_catalog

PAT = "simulated-dc-pat"


def dc_env(site: SimulatedSite, auth: str = "pat") -> dict[str, str]:
    env = {"BATON_DOMAIN_URL": site.site_url, "BATON_LOG_FORMAT": "json"}
    if auth == "pat":
        env["BATON_PERSONAL_ACCESS_TOKEN"] = site.spec.personal_access_token or ""
    else:
        env.update({"BATON_USERNAME": site.spec.username, "BATON_PASSWORD": site.spec.password})
    return env


@dataclass
class Expected:
    users: dict[str, bool]  # user key -> enabled
    groups: set[str]  # group names
    spaces: set[str]
    member_grants: set[str]
    direct_grants: set[str]
    expanded_grants: set[str]


def expected_dc(site: SimulatedSite, wanted: Callable[[Space], bool] = lambda _s: True) -> Expected:
    state = site.state
    humans = {a: u for a, u in state.users.items() if u.account_type == "atlassian"}
    users = {user_key_of(a): u.active for a, u in humans.items()}
    names = {g.id: g.name for g in state.groups.values()}
    members = {g.name: [user_key_of(m) for m in g.members if m in humans] for g in state.groups.values()}
    spaces = {s.id: s for s in state.spaces.values() if not s.hidden and wanted(s)}
    pairs = {(p.verb, p.noun) for p in dc_catalog()}
    direct: set[str] = set()
    expanded: set[str] = set()
    for space_id in spaces:
        for perm in state.space_permissions(space_id):
            if (perm.key, perm.target) not in pairs:
                continue
            ent = f"space:{space_id}:{perm.key}-{perm.target}"
            if perm.principal_type == "user" and perm.principal_id in humans:
                direct.add(f"{ent}:user:{user_key_of(perm.principal_id)}")
            elif perm.principal_type == "group":
                name = names[perm.principal_id]
                direct.add(f"{ent}:group:{name}")
                expanded.update(f"{ent}:user:{key}" for key in members[name])
            elif perm.principal_type != "user":
                # Data Center names no class but anonymous access (docs/access-classes.md)
                direct.add(f"{ent}:access_class:anonymous")
    member_grants = {f"group:{name}:member:user:{key}" for name, keys in members.items() for key in keys}
    return Expected(users, set(members), {str(s) for s in spaces}, member_grants, direct, expanded - direct)
