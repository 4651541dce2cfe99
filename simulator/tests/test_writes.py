"""Writes through the API change the site's state, with Confluence's preconditions and answers."""

from __future__ import annotations

import httpx
from confluence_simulator import SimulatedSite
from site_helpers import client_for

XSRF = {"X-Atlassian-Token": "no-check"}


def _outsider(site: SimulatedSite, group_id: str) -> str:
    members = site.state.groups[group_id].member_set
    return next(a for a in site.state.search_licensed if a not in members)


def test_add_and_remove_group_member(fresh_site: SimulatedSite) -> None:
    site = fresh_site
    group = site.state.groups_by_name["engineering-team"]
    account = _outsider(site, group.id)
    path = "/wiki/rest/api/group/userByGroupId"
    with client_for(site) as c:
        no_token = c.post(path, params={"groupId": group.id}, json={"accountId": account})
        assert no_token.status_code == 403 and no_token.text == "XSRF check failed"
        not_json = c.post(path, params={"groupId": group.id}, content=f"accountId={account}",
                          headers={**XSRF, "Content-Type": "application/x-www-form-urlencoded"})
        assert not_json.status_code == 415
        assert account not in site.state.groups[group.id].member_set

        added = c.post(path, params={"groupId": group.id}, json={"accountId": account}, headers=XSRF)
        assert added.status_code == 201 and added.content == b""
        assert site.state.groups[group.id].members[-1] == account
        again = c.post(path, params={"groupId": group.id}, json={"accountId": account}, headers=XSRF)
        assert again.status_code == 201
        assert site.state.groups[group.id].members.count(account) == 1

        members = c.get(f"/wiki/rest/api/group/{group.id}/membersByGroupId").json()["results"]
        assert account in [m["accountId"] for m in members]

        assert c.post(path, params={"groupId": "nope"}, json={"accountId": account}, headers=XSRF).status_code == 404
        assert c.post(path, params={"groupId": group.id}, json={"accountId": "nope"}, headers=XSRF).status_code == 400
        assert c.post(path, params={"groupId": group.id}, json={}, headers=XSRF).status_code == 400

        assert c.delete(path, params={"groupId": group.id, "accountId": account}).status_code == 403
        removed = c.delete(path, params={"groupId": group.id, "accountId": account}, headers=XSRF)
        assert removed.status_code == 204
        assert account not in site.state.groups[group.id].member_set
        # Documented: removing a non-member is a 204 too.
        assert c.delete(path, params={"groupId": group.id, "accountId": account}, headers=XSRF).status_code == 204
        unknown = c.delete(path, params={"groupId": group.id, "accountId": "nope"}, headers=XSRF)
        assert unknown.status_code == 404


def test_add_space_permission_rules(fresh_site: SimulatedSite) -> None:
    site = fresh_site
    space = next(s for s in site.state.spaces.values() if s.type != "personal" and not s.hidden)
    group = site.state.groups_by_name["legal-team"]
    path = f"/wiki/rest/api/space/{space.key}/permission"

    def grant(key: str, target: str, subject: dict[str, str], c: httpx.Client) -> httpx.Response:
        return c.post(path, json={"subject": subject, "operation": {"key": key, "target": target}}, headers=XSRF)

    with client_for(site) as c:
        for perm in site.state.space_permissions(space.id):  # start from a group without permissions
            if perm.principal_id == group.id:
                site.state.remove_space_permission(space.id, perm.id)
        by_id = {"type": "group", "identifier": group.id}
        by_name = {"type": "group", "identifier": group.name}

        invalid = grant("administer", "page", by_id, c)
        assert invalid.status_code == 400
        assert invalid.json()["message"].endswith(
            "Operation not supported for target OperationCheckResult{operation=administer, targetType=page}"
        )
        without_read = grant("create", "page", by_id, c)
        assert without_read.status_code == 400 and "'read space'" in without_read.json()["message"]

        read = grant("read", "space", by_name, c)
        assert read.status_code == 200
        body = read.json()
        assert body["subject"] == {"type": "group", "identifier": group.id}
        assert body["operation"] == {"key": "read", "target": "space"}
        assert isinstance(body["id"], int)
        assert grant("read", "space", by_id, c).status_code == 400  # already exists
        create = grant("create", "page", by_id, c)
        assert create.status_code == 200

        listed = c.get(f"/wiki/api/v2/spaces/{space.id}/permissions", params={"limit": 250}).json()["results"]
        mine = {
            (p["operation"]["key"], p["operation"]["targetType"]) for p in listed if p["principal"]["id"] == group.id
        }
        assert mine == {("read", "space"), ("create", "page")}

        user = {"type": "user", "identifier": site.state.search_licensed[0]}
        assert grant("read", "space", {"type": "group", "identifier": "no-such-group"}, c).status_code == 400
        assert grant("read", "space", {"type": "user", "identifier": "no-such-user"}, c).status_code == 400
        assert c.post(path, json={"subject": user, "operation": {"key": "read", "target": "space"}}).status_code == 403
        anonymous = grant("export", "space", {"type": "user", "identifier": "anonymous"}, c)
        assert anonymous.status_code == 400  # anonymous has no read/space in this space yet
        assert c.post("/wiki/rest/api/space/NOPE/permission", json={}, headers=XSRF).status_code == 404


def test_remove_read_space_cascades_to_the_subjects_other_permissions(fresh_site: SimulatedSite) -> None:
    site = fresh_site
    state = site.state
    space = next(s for s in state.spaces.values() if s.type != "personal" and not s.hidden)
    subject_perms: dict[tuple[str, str], list[int]] = {}
    for perm in state.space_permissions(space.id):
        subject_perms.setdefault(perm.subject, []).append(perm.id)
    subject, ids = next(
        (s, ids) for s, ids in subject_perms.items()
        if len(ids) > 1 and s[0] == "group" and state.groups[s[1]].name != "confluence-admins"
    )
    read_id = state.find_permission(space.id, subject[0], subject[1], "read", "space")
    other_id = next(i for i in ids if i != read_id)
    other_subject = next(s for s in subject_perms if s != subject)
    before_others = len(subject_perms[other_subject])

    with client_for(site) as c:
        path = f"/wiki/rest/api/space/{space.key}/permission"
        assert c.delete(f"{path}/{other_id}").status_code == 403  # XSRF token missing
        assert c.delete(f"{path}/{other_id}", headers=XSRF).status_code == 204
        assert state.find_permission(space.id, subject[0], subject[1], "read", "space") == read_id
        assert c.delete(f"{path}/{other_id}", headers=XSRF).status_code == 404

        assert c.delete(f"{path}/{read_id}", headers=XSRF).status_code == 204
        remaining = [p for p in state.space_permissions(space.id) if p.subject == subject]
        assert remaining == []
        assert len([p for p in state.space_permissions(space.id) if p.subject == other_subject]) == before_others
        listed = c.get(f"/wiki/api/v2/spaces/{space.id}/permissions", params={"limit": 250}).json()["results"]
        assert all(p["principal"]["id"] != subject[1] for p in listed)


def test_last_admin_permission_cannot_be_removed(fresh_site: SimulatedSite) -> None:
    site = fresh_site
    state = site.state
    space = next(s for s in state.spaces.values() if s.type == "personal" and not s.hidden)
    admins = [p for p in state.space_permissions(space.id) if (p.key, p.target) == ("administer", "space")]
    assert len(admins) == 1
    with client_for(site) as c:
        answer = c.delete(f"/wiki/rest/api/space/{space.key}/permission/{admins[0].id}", headers=XSRF)
        assert answer.status_code == 400
        assert "admin permissions cannot be removed" in answer.json()["message"]


def test_set_and_remove_role_assignments(fresh_site: SimulatedSite) -> None:
    site = fresh_site
    state = site.state
    space = next(s for s in state.spaces.values() if s.type != "personal" and not s.hidden)
    viewer = next(r.id for r in state.roles if r.name == "Viewer")
    manager = next(r.id for r in state.roles if r.name == "Manager")
    user = next(a for a in state.search_licensed if ("USER", a) not in state.space_role_assignments(space.id))
    path = f"/wiki/api/v2/spaces/{space.id}/role-assignments"
    principal = {"principalType": "USER", "principalId": user}
    with client_for(site) as c:
        set_viewer = c.post(path, json=[{"principal": principal, "roleId": viewer}])
        assert set_viewer.status_code == 200
        assert set_viewer.json()["results"] == [{"principal": principal, "roleId": viewer}]
        assert state.space_role_assignments(space.id)[("USER", user)] == viewer

        c.post(path, json=[{"principal": principal, "roleId": manager}])
        assert state.space_role_assignments(space.id)[("USER", user)] == manager
        mine = c.get(path, params={"principal-id": user, "principal-type": "USER"}).json()["results"]
        assert mine == [{"principal": principal, "roleId": manager}]
        held = c.get("/wiki/api/v2/space-roles", params={"principal-id": user, "principal-type": "USER",
                                                        "space-id": str(space.id)}).json()["results"]
        assert [r["id"] for r in held] == [manager]

        removed = c.post(path, json=[{"principal": principal}])
        assert removed.status_code == 200 and removed.json()["results"] == []
        assert ("USER", user) not in state.space_role_assignments(space.id)

        assert c.post(path, json=[{"principal": principal, "roleId": "no-such-role"}]).status_code == 400
        assert c.post(path, json=[{"principal": {"principalType": "USER", "principalId": "x"}}]).status_code == 400
        assert c.post(path, json={"not": "a list"}).status_code == 400
        assert c.get(path, params={"principal-id": user}).status_code == 400  # type missing
        access = {"principalType": "ACCESS_CLASS", "principalId": "all-licensed-users"}
        assert c.post(path, json=[{"principal": access, "roleId": viewer}]).status_code == 200


def test_user_memberof_lists_the_users_groups(fresh_site: SimulatedSite) -> None:
    site = fresh_site
    account = next(iter(site.state.groups_by_name["engineering-team"].member_set))
    expected = [g for g in site.state.group_order if account in site.state.groups[g].member_set]
    with client_for(site) as c:
        first = c.get("/wiki/rest/api/user/memberof", params={"accountId": account, "limit": 1}).json()
        assert [g["id"] for g in first["results"]] == expected[:1]
        assert ("next" in first["_links"]) == (len(expected) > 1)
        whole = c.get("/wiki/rest/api/user/memberof", params={"accountId": account}).json()
        assert [g["id"] for g in whole["results"]] == expected
        assert {"id", "name", "type"} <= set(whole["results"][0])
        assert c.get("/wiki/rest/api/user/memberof").status_code == 400
        assert c.get("/wiki/rest/api/user/memberof", params={"accountId": "nobody"}).status_code == 404
