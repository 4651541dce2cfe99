"""Data variants (`SiteSpec.variants`): each switch does what it claims, seen through HTTP, and the
defaults leave the site as the base generator makes it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from confluence_simulator import DataVariants, SimulatedSite, SiteSpec
from confluence_simulator.generator import APP_GROUP, generate
from confluence_simulator.state import SiteState
from site_helpers import client_for, walk_v1, walk_v2

BASE = SiteSpec(seed=11, users=30, groups=8, spaces=8, permissions_per_space=8, guest_accounts=2,
                app_accounts=2, customer_accounts=1, members_per_group=5, rbac_enabled=True)
V1, V2 = "/wiki/rest/api", "/wiki/api/v2"


def _site(**switches: Any) -> SiteSpec:
    return replace(BASE, variants=DataVariants(**switches))


@pytest.fixture()
def http(request: pytest.FixtureRequest) -> Iterator[tuple[SimulatedSite, httpx.Client]]:
    with SimulatedSite(request.param) as site, client_for(site) as client:
        yield site, client
        assert site.internal_errors == []


def _state_summary(state: SiteState) -> dict[str, Any]:
    return {
        "search": (state.search_all, state.search_licensed, state.search_guests),
        "users": [state.users[a] for a in state.search_all],
        "groups": [(g, state.groups[g].name, list(state.groups[g].members)) for g in state.group_order],
        "spaces": sorted(state.spaces.values(), key=lambda s: s.id),
        "permissions": list(state.all_permissions()),
        "roles": state.roles,
        "assignments": {s: state.space_role_assignments(s) for s in sorted(state.spaces)},
        "deleted": state.deleted_accounts,
    }


def _searched(client: httpx.Client, kind: str = "all") -> list[dict[str, Any]]:
    results, _ = walk_v1(client, f"{V1}/search/user",
                         {"cql": "type=user", "sitePermissionTypeFilter": kind, "limit": 200, "expand": "operations"})
    return [r["user"] for r in results]


def _members(client: httpx.Client, state: SiteState) -> dict[str, list[dict[str, Any]]]:
    return {g: walk_v1(client, f"{V1}/group/{g}/membersByGroupId", {})[0] for g in state.group_order}


def _permissions(client: httpx.Client, state: SiteState) -> list[dict[str, Any]]:
    out = []
    for space_id in sorted(state.spaces):
        out.extend(walk_v2(client, f"{V2}/spaces/{space_id}/permissions", {"limit": 250})[0])
    return out


def _user_principals(perms: list[dict[str, Any]]) -> set[str]:
    return {p["principal"]["id"] for p in perms if p["principal"]["type"] == "user"}


def _added_accounts(spec: SiteSpec) -> list[str]:
    """Accounts the variants add to the base site (found by diffing the two generated states)."""
    base = generate(replace(spec, variants=DataVariants()))
    return [a for a in generate(spec).search_all if a not in base.users]


# --- defaults ---------------------------------------------------------------------------------


def test_default_variants_are_every_switch_off() -> None:
    explicit = DataVariants(null_optional_fields=False, ungrouped_users=0, ungrouped_guests=0,
                            app_permissions=False, missing_principals=0, role_name_field="both")
    assert _state_summary(generate(BASE)) == _state_summary(generate(replace(BASE, variants=explicit)))


def test_switches_add_to_the_base_site_without_reshuffling_it() -> None:
    """The variant stream is separate: every base account, membership and permission survives."""
    base = generate(BASE)
    varied = generate(_site(ungrouped_users=4, ungrouped_guests=2, app_permissions=True, missing_principals=2))
    assert all(varied.users[a] == base.users[a] for a in base.users)
    for gid, group in base.groups.items():
        assert varied.groups[gid].members[: len(group.members)] == group.members
    grants = {(p.space_id, p.principal_type, p.principal_id, p.key, p.target) for p in varied.all_permissions()}
    assert {(p.space_id, p.principal_type, p.principal_id, p.key, p.target) for p in base.all_permissions()} <= grants


@pytest.mark.parametrize("bad", [{"ungrouped_users": -1}, {"missing_principals": -2}, {"role_name_field": "title"}])
def test_bad_switch_values_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        DataVariants(**bad)


def test_app_permissions_needs_an_app() -> None:
    with pytest.raises(ValueError, match="app account"):
        replace(BASE, app_accounts=0, variants=DataVariants(app_permissions=True))


# --- one test per switch --------------------------------------------------------------------------


@pytest.mark.parametrize("http", [_site(null_optional_fields=True)], indirect=True)
def test_null_optional_fields_are_json_null_everywhere(http: tuple[SimulatedSite, httpx.Client]) -> None:
    site, client = http
    nulled = {a for a, u in site.state.users.items() if u.null_profile}
    assert 0 < len(nulled) < len(site.state.users) and site.state.admin_account_id not in nulled
    names = ("email", "publicName", "displayName")

    def check(user: dict[str, Any]) -> None:
        if user["accountId"] in nulled:
            assert all(k in user and user[k] is None for k in names), user
        else:
            assert all(isinstance(user[k], str) for k in names), user

    searched = _searched(client)
    assert {u["accountId"] for u in searched} >= nulled
    for user in searched:
        check(user)
    for members in _members(client, site.state).values():
        for user in members:
            check(user)
    some = sorted(nulled)[0]
    check(client.get(f"{V1}/user", params={"accountId": some}).json())
    bulk = client.post(f"{V2}/users-bulk", json={"accountIds": sorted(nulled)[:50]}).json()["results"]
    assert len(bulk) == min(50, len(nulled))
    for user in bulk:
        check(user)
    check(client.get(f"{V1}/user/current").json())
    spaces = walk_v2(client, f"{V2}/spaces", {"limit": 250})[0]
    assert spaces and all("description" in s and s["description"] is None and s["icon"] is None for s in spaces)


@pytest.mark.parametrize("http", [_site(ungrouped_users=6)], indirect=True)
def test_ungrouped_users_are_in_no_group_but_found_by_search(http: tuple[SimulatedSite, httpx.Client]) -> None:
    site, client = http
    added = _added_accounts(site.spec)
    assert len(added) == 6
    members = {u["accountId"] for users in _members(client, site.state).values() for u in users}
    assert not members & set(added)
    licensed = {u["accountId"]: u for u in _searched(client, "none")}
    assert set(added) <= set(licensed)
    assert all(licensed[a]["accountType"] == "atlassian" and not licensed[a]["isExternalCollaborator"] for a in added)
    holders = _user_principals(_permissions(client, site.state)) & set(added)
    assert len(holders) == 3  # every other one holds direct permissions, the rest nothing


@pytest.mark.parametrize("http", [_site(ungrouped_guests=4)], indirect=True)
def test_ungrouped_guests_need_the_all_filter(http: tuple[SimulatedSite, httpx.Client]) -> None:
    site, client = http
    added = set(_added_accounts(site.spec))
    assert len(added) == 4
    assert not added & {u["accountId"] for u in _searched(client, "none")}
    everyone = {u["accountId"]: u for u in _searched(client, "all")}
    assert added <= set(everyone) and all(everyone[a]["isExternalCollaborator"] for a in added)
    assert not added & {u["accountId"] for users in _members(client, site.state).values() for u in users}
    perms = _permissions(client, site.state)
    held = {(p["principal"]["id"], p["operation"]["key"], p["operation"]["targetType"])
            for p in perms if p["principal"]["id"] in added}
    assert {a for a, _, _ in held} and {(k, t) for _, k, t in held} == {("read", "space")}


@pytest.mark.parametrize("http", [_site(app_permissions=True)], indirect=True)
def test_apps_hold_permissions_and_join_a_group_of_humans(http: tuple[SimulatedSite, httpx.Client]) -> None:
    site, client = http
    apps = {u["accountId"] for u in _searched(client) if u["accountType"] == "app"}
    assert len(apps) == site.spec.app_accounts
    perms = _permissions(client, site.state)
    assert apps <= _user_principals(perms)
    assert any(p["principal"]["id"] in apps and p["operation"] == {"key": "administer", "targetType": "space"}
               for p in perms)
    groups = {site.state.groups[g].name: {u["accountId"] for u in users}
              for g, users in _members(client, site.state).items()}
    assert all(any(app in ids for name, ids in groups.items() if name != APP_GROUP) for app in apps)


@pytest.mark.parametrize("http", [_site(missing_principals=3)], indirect=True)
def test_missing_principals_are_granted_but_unknown(http: tuple[SimulatedSite, httpx.Client]) -> None:
    site, client = http
    perms = _permissions(client, site.state)
    listed = {u["accountId"] for u in _searched(client)}
    listed |= {u["accountId"] for users in _members(client, site.state).values() for u in users}
    missing = _user_principals(perms) - listed
    assert len(missing) == 3
    for account_id in missing:
        answer = client.get(f"{V1}/user", params={"accountId": account_id})
        assert answer.status_code == 404
        assert answer.json()["statusCode"] == 404 and "NotFoundException" in answer.json()["message"]
    assert client.post(f"{V2}/users-bulk", json={"accountIds": sorted(missing)}).json()["results"] == []
    assigned = {a["principal"]["principalId"] for s in sorted(site.state.spaces)
                for a in walk_v2(client, f"{V2}/spaces/{s}/role-assignments", {"limit": 250})[0]
                if a["principal"]["principalType"] == "USER"}
    assert missing <= assigned  # RBAC is on in BASE: each one also holds a role


@pytest.mark.parametrize(("field", "keys"), [("both", {"name", "displayName"}), ("displayName", {"displayName"}),
                                              ("name", {"name"})])
def test_role_objects_carry_the_chosen_name_field(field: str, keys: set[str]) -> None:
    with SimulatedSite(_site(role_name_field=field)) as site, client_for(site) as client:
        roles = walk_v2(client, f"{V2}/space-roles", {"limit": 250})[0]
    names = {r.id: r.name for r in site.state.roles}
    assert len(roles) == len(names)
    for role in roles:
        assert {"name", "displayName"} & set(role) == keys, role
        assert all(role[k] == names[role["id"]] for k in keys)


# --- the lookups ---------------------------------------------------------------------------------


def test_get_user_finds_accounts_no_listing_returns() -> None:
    spec = replace(BASE, search_cap=5, variants=DataVariants(ungrouped_users=4))
    with SimulatedSite(spec) as site, client_for(site) as client:
        searched = {u["accountId"] for u in _searched(client)}
        beyond = [a for a in site.state.search_all if a not in searched]
        assert len(searched) == 5 and beyond
        for account_id in beyond:
            answer = client.get(f"{V1}/user", params={"accountId": account_id, "expand": "operations"})
            assert answer.status_code == 200, answer.text
            user = answer.json()
            expected = site.state.users[account_id]
            assert (user["accountId"], user["accountType"]) == (account_id, expected.account_type)
            assert isinstance(user["operations"], list)
            assert (len(user["operations"]) > 0) == (expected.active and expected.account_type != "customer")
        assert "operations" not in client.get(f"{V1}/user", params={"accountId": beyond[0]}).json()
        assert client.get(f"{V1}/user").status_code == 400
        unknown = client.get(f"{V1}/user", params={"accountId": "0" * 24})
        assert unknown.status_code == 404 and unknown.json()["statusCode"] == 404


def test_get_user_is_denied_with_the_user_search() -> None:
    spec = replace(BASE, denied=frozenset({"users_search"}))
    with SimulatedSite(spec) as site, client_for(site) as client:
        answer = client.get(f"{V1}/user", params={"accountId": site.state.admin_account_id})
        assert answer.status_code == 403 and "view users" in answer.json()["message"]


def test_group_by_id_answers_404_for_unknown_ids() -> None:
    with SimulatedSite(BASE) as site, client_for(site) as client:
        gid = site.state.group_order[0]
        assert client.get(f"{V1}/group/by-id", params={"id": gid}).json()["id"] == gid
        unknown = client.get(f"{V1}/group/by-id", params={"id": "no-such-group"})
        assert unknown.status_code == 404 and unknown.json()["statusCode"] == 404
