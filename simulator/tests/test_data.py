"""Generated data: deterministic per seed, realistic in shape, and the 10k user-search ceiling."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator.generator import generate
from confluence_simulator.state import SiteState
from site_helpers import SMALL, client_for, walk_v1, walk_v2


def _summary(state: SiteState) -> dict[str, Any]:
    return {
        "users": [state.users[a] for a in state.search_all],
        "groups": [(g.id, g.name, list(g.members)) for g in (state.groups[i] for i in state.group_order)],
        "spaces": sorted(state.spaces.values(), key=lambda s: s.id),
        "permissions": list(state.all_permissions()),
        "roles": state.roles,
        "assignments": {s: state.space_role_assignments(s) for s in sorted(state.spaces)},
    }


def test_same_seed_same_site_other_seed_other_site() -> None:
    assert _summary(generate(SMALL)) == _summary(generate(SMALL))
    other = replace(SMALL, seed=SMALL.seed + 1)
    assert _summary(generate(other))["users"] != _summary(generate(SMALL))["users"]


def test_same_seed_same_answers_over_http() -> None:
    bodies = []
    for _ in range(2):
        with SimulatedSite(SMALL) as site, client_for(site) as c:
            users, _ = walk_v1(c, "/wiki/rest/api/search/user", {"cql": "type=user", "sitePermissionTypeFilter": "all"})
            spaces = c.get("/wiki/api/v2/spaces", params={"limit": 250}).text
            bodies.append((str(users).replace(site.url, ""), spaces.replace(site.url, "")))
    assert bodies[0] == bodies[1]


def test_generated_site_looks_like_a_real_one() -> None:
    spec = SiteSpec(seed=5, users=300, groups=30, spaces=60, permissions_per_space=30, guest_accounts=4,
                    app_accounts=5, deactivated_fraction=0.1, archived_space_fraction=0.1, rbac_enabled=True)
    state = generate(spec)
    users = list(state.users.values())
    assert len(users) == 309
    assert {u.account_type for u in users} == {"atlassian", "app"}
    assert all(re.fullmatch(r"[0-9a-f]{24}|557058:[0-9a-f-]{36}", u.account_id) for u in users)
    assert sum(not u.active for u in users) == 30
    assert any(u.account_status == "closed" for u in users)
    assert 0 < sum(u.email == "" for u in users if u.account_type == "atlassian") < 300
    assert len(state.search_guests) == 4

    big = state.groups_by_name["confluence-users"]
    assert len(big.members) == round(0.9 * 300)
    assert len(state.groups) == 30
    assert state.admin_account_id in state.groups_by_name["site-admins"].member_set

    spaces = list(state.spaces.values())
    personal = [s for s in spaces if s.type == "personal"]
    assert len(personal) == 12 and all(s.key.startswith("~") for s in personal)
    assert sum(s.status == "archived" for s in spaces) == 6
    assert len({s.key for s in spaces}) == 60

    perms = list(state.all_permissions())
    global_spaces = [s for s in spaces if s.type != "personal"]
    per_space = sum(len(state.permissions[s.id].by_id) for s in global_spaces) / len(global_spaces)
    assert 25 <= per_space <= 40
    principal_types = {p.principal_type for p in perms}
    assert {"user", "group", "access_class"} <= principal_types
    big_read = [p for p in perms if p.principal_id == big.id and (p.key, p.target) == ("read", "space")]
    assert len(big_read) >= len(global_spaces)
    assert {p.target for p in perms} >= {"space", "page", "whiteboard", "database"}
    assert len(state.roles) == 6 and sum(r.type == "SYSTEM" for r in state.roles) == 4


def test_user_search_stops_at_the_search_cap() -> None:
    spec = SiteSpec(users=60, groups=3, spaces=2, guest_accounts=0, app_accounts=0, search_cap=25)
    with SimulatedSite(spec) as site, client_for(site) as c:
        results, pages = walk_v1(c, "/wiki/rest/api/search/user", {"cql": "type=user", "limit": 10})
        assert len(results) == 25
        assert [p["size"] for p in pages] == [10, 10, 5]
        assert all(p["totalSize"] == p["size"] for p in pages)  # faithfully wrong
        beyond = c.get("/wiki/rest/api/search/user", params={"cql": "type=user", "start": 30}).json()
        assert beyond["results"] == [] and "next" not in beyond["_links"]


# Written out by hand from docs/permissions.md: what `SiteSpec.newer_permissions` adds to a listing.
NEWER_PAIRS = {
    ("archive", "whiteboard"),
    ("archive", "database"),
    ("archive", "embed"),
    ("copy", "page"),
    ("move", "page"),
}


def _listed(site: SimulatedSite) -> dict[str, set[tuple[str, str, str, str]]]:
    """Every space's permissions as `/spaces/{id}/permissions` reports them, ids left out."""
    listed: dict[str, set[tuple[str, str, str, str]]] = {}
    with client_for(site) as c:
        spaces, _ = walk_v2(c, "/wiki/api/v2/spaces", {"limit": 250})
        for space in spaces:
            perms, _ = walk_v2(c, f"/wiki/api/v2/spaces/{space['id']}/permissions", {"limit": 250})
            listed[space["key"]] = {
                (p["principal"]["type"], p["principal"]["id"], p["operation"]["key"], p["operation"]["targetType"])
                for p in perms
            }
    return listed


def test_newer_permissions_come_back_from_the_listing_when_switched_on() -> None:
    spec = SiteSpec(seed=5, users=12, groups=4, spaces=6, guest_accounts=0, app_accounts=0)
    with SimulatedSite(spec) as plain, SimulatedSite(replace(spec, newer_permissions=True)) as newer:
        before, after = _listed(plain), _listed(newer)
    assert before.keys() == after.keys() and len(after) == 6
    for key, rows in after.items():
        added = rows - before[key]
        assert rows >= before[key]  # the switch only adds
        assert {(op, target) for _, _, op, target in added} == NEWER_PAIRS, key
        assert {(kind, holder) for kind, holder, _, _ in added} == {("user", next(iter(added))[1])}
        # The holder can view the space, as Confluence requires of any other space permission.
        assert ("user", next(iter(added))[1], "read", "space") in rows
        assert not {(op, target) for _, _, op, target in before[key]} & NEWER_PAIRS
