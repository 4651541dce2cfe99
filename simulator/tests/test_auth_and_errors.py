"""Authentication failures, error body shapes, denied endpoint families and hidden spaces."""

from __future__ import annotations

import httpx
from confluence_simulator import SimulatedSite, SiteSpec
from site_helpers import client_for


def test_missing_credentials_get_401_in_each_api_style(site: SimulatedSite) -> None:
    v1 = httpx.get(site.url + "/wiki/rest/api/group")
    assert v1.status_code == 401
    assert v1.json() == {
        "statusCode": 401,
        "data": {"authorized": False, "valid": True, "errors": [], "successful": False},
        "message": "Client must be authenticated to access this resource.",
    }
    v2 = httpx.get(site.url + "/wiki/api/v2/spaces")
    assert v2.status_code == 401
    assert v2.json()["errors"][0]["status"] == 401
    assert v2.json()["errors"][0]["code"] == "UNAUTHORIZED"


def test_wrong_token_gets_the_plain_text_basic_auth_answer(site: SimulatedSite) -> None:
    response = httpx.get(site.url + "/wiki/rest/api/user/current", auth=(site.spec.username, "wrong"))
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("Basic authentication with passwords is deprecated.")


def test_bearer_token_is_accepted_only_when_configured() -> None:
    with SimulatedSite(SiteSpec(users=3, spaces=1, groups=2, personal_access_token="pat-123")) as s:
        ok = httpx.get(s.url + "/wiki/rest/api/user/current", headers={"Authorization": "Bearer pat-123"})
        assert ok.status_code == 200 and ok.json()["email"] == s.spec.username
        bad = httpx.get(s.url + "/wiki/rest/api/user/current", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401


def test_unknown_things_answer_404_in_the_right_shape(site: SimulatedSite, client: httpx.Client) -> None:
    v1 = client.get("/wiki/rest/api/group/by-id", params={"id": "no-such-group"})
    assert v1.status_code == 404 and v1.json()["statusCode"] == 404
    v2 = client.get("/wiki/api/v2/spaces/999999999")
    assert v2.status_code == 404 and v2.json()["errors"][0]["code"] == "NOT_FOUND"
    assert client.get("/wiki/api/v2/nothing-here").status_code == 404
    assert client.delete("/wiki/api/v2/spaces").status_code == 405
    assert client.get("/wiki/api/v2/spaces/not-a-number").status_code == 400


def test_current_user_and_group_by_id(site: SimulatedSite, client: httpx.Client) -> None:
    me = client.get("/wiki/rest/api/user/current", params={"expand": "operations"}).json()
    assert me["accountId"] == site.state.admin_account_id
    assert me["type"] == "known" and {"operation": "use", "targetType": "application"} in me["operations"]
    group = site.state.groups_by_name["confluence-users"]
    body = client.get("/wiki/rest/api/group/by-id", params={"id": group.id}).json()
    assert body == {
        "type": "group",
        "name": "confluence-users",
        "id": group.id,
        "_links": {"self": f"{site.url}/wiki/rest/api/group/by-id?id={group.id}"},
    }


def test_denied_families_answer_403_on_v1_and_404_on_v2() -> None:
    spec = SiteSpec(
        users=5, groups=3, spaces=3, rbac_enabled=True,
        denied=frozenset({"groups", "users_search", "space_permissions", "space_roles"}),
    )
    with SimulatedSite(spec) as s, client_for(s) as c:
        groups = c.get("/wiki/rest/api/group")
        assert groups.status_code == 403
        message = groups.json()["message"]
        assert message.startswith("com.atlassian.confluence.api.service.exceptions.PermissionException")
        assert c.get("/wiki/rest/api/search/user", params={"cql": "type=user"}).status_code == 403
        space_id = next(iter(s.state.spaces))
        assert c.get(f"/wiki/api/v2/spaces/{space_id}/permissions").status_code == 404
        assert c.get("/wiki/api/v2/space-roles").status_code == 404
        assert c.get(f"/wiki/api/v2/spaces/{space_id}").status_code == 200  # spaces not denied
        assert c.get("/wiki/rest/api/user/current").status_code == 200


def test_hidden_spaces_are_absent_from_lists_and_404_directly() -> None:
    spec = SiteSpec(users=6, groups=3, spaces=10, hidden_space_fraction=0.3)
    with SimulatedSite(spec) as s, client_for(s) as c:
        hidden = [sp for sp in s.state.spaces.values() if sp.hidden]
        assert len(hidden) == 3
        listed = {sp["id"] for sp in c.get("/wiki/api/v2/spaces", params={"limit": 250}).json()["results"]}
        assert len(listed) == 7 and not listed & {str(sp.id) for sp in hidden}
        for space in hidden:
            assert c.get(f"/wiki/api/v2/spaces/{space.id}").status_code == 404
            assert c.get(f"/wiki/api/v2/spaces/{space.id}/permissions").status_code == 404
            denied = c.post(
                f"/wiki/rest/api/space/{space.key}/permission",
                json={"subject": {"type": "group", "identifier": "confluence-users"},
                      "operation": {"key": "read", "target": "space"}},
                headers={"X-Atlassian-Token": "no-check"},
            )
            assert denied.status_code == 404


def test_rbac_endpoints_when_roles_are_off() -> None:
    with SimulatedSite(SiteSpec(users=4, groups=2, spaces=2, rbac_enabled=False)) as s, client_for(s) as c:
        assert c.get("/wiki/api/v2/space-role-mode").json() == {"mode": "PRE_ROLES"}
        assert c.get("/wiki/api/v2/space-roles").status_code == 404
        space_id = next(iter(s.state.spaces))
        assert c.get(f"/wiki/api/v2/spaces/{space_id}/role-assignments").status_code == 404


def test_users_bulk(site: SimulatedSite, client: httpx.Client) -> None:
    ids = list(site.state.users)[:5]
    body = client.post("/wiki/api/v2/users-bulk", json={"accountIds": [*ids, "unknown-id", ids[0]]}).json()
    assert [u["accountId"] for u in body["results"]] == ids
    statuses = {u.account_status for u in site.state.users.values()}
    assert statuses <= {"active", "inactive", "closed"}
    all_ids = list(site.state.users)
    every = client.post("/wiki/api/v2/users-bulk", json={"accountIds": all_ids}).json()["results"]
    assert {u["accountStatus"] for u in every} == statuses
    assert client.post("/wiki/api/v2/users-bulk", json={"accountIds": []}).status_code == 400
    too_many = client.post("/wiki/api/v2/users-bulk", json={"accountIds": [f"x{i}" for i in range(251)]})
    assert too_many.status_code == 400
    wrong_type = client.post("/wiki/api/v2/users-bulk", content=b"{}", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
