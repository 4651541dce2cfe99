"""The simulated site's JSON-RPC remote API and version gates, spoken to directly over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from confluence_simulator import SimulatedSite, SiteSpec, datacenter_flavor
from confluence_simulator.dc_directory import Directory
from confluence_simulator.state import ANONYMOUS, PRINCIPAL_ACCESS_CLASS

from tests.confluence.datacenter.dc_expected import PAT

RPC = "/rpc/json-rpc/confluenceservice-v2"
# The remote API's type per (operation, target) as docs/datacenter.md lists them.
TYPES = {
    ("read", "space"): "VIEWSPACE", ("administer", "space"): "SETSPACEPERMISSIONS",
    ("export", "space"): "EXPORTSPACE", ("restrict_content", "space"): "SETPAGEPERMISSIONS",
    ("delete", "space"): "REMOVEOWNCONTENT", ("delete_mail", "space"): "REMOVEMAIL",
    ("create", "page"): "EDITSPACE", ("delete", "page"): "REMOVEPAGE",
    ("create", "blogpost"): "EDITBLOG", ("delete", "blogpost"): "REMOVEBLOG",
    ("create", "comment"): "COMMENT", ("delete", "comment"): "REMOVECOMMENT",
    ("create", "attachment"): "CREATEATTACHMENT", ("delete", "attachment"): "REMOVEATTACHMENT",
}
BASE: dict[str, Any] = {"seed": 4, "users": 10, "groups": 4, "spaces": 3, "permissions_per_space": 6,
                        "personal_access_token": PAT}


def call(site: SimulatedSite, method: str, *params: Any, token: str = PAT) -> httpx.Response:
    body = {"jsonrpc": "2.0", "method": method, "params": list(params), "id": 7}
    headers = {"Authorization": f"Bearer {token}", "X-Atlassian-Token": "no-check"}
    return httpx.post(site.site_url + RPC, json=body, headers=headers)


def test_permission_sets_show_each_holder_once_by_username_group_name_or_no_name() -> None:
    with SimulatedSite(SiteSpec(**BASE, server_version="8.5.4"), flavor=datacenter_flavor()) as site:
        space = min((s for s in site.state.spaces.values() if not s.hidden), key=lambda s: s.id)
        site.state.add_space_permission(space.id, PRINCIPAL_ACCESS_CLASS, ANONYMOUS, "read", "space")
        answer = call(site, "getSpacePermissionSets", space.key)
        directory = Directory(site.state, site.spec)
        held = site.state.space_permissions(space.id)
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == 7 and "error" not in body
    got = {(p["type"], p["userName"], p["groupName"]) for s in body["result"] for p in s["spacePermissions"]}
    assert all(p["type"] == s["type"] for s in body["result"] for p in s["spacePermissions"])
    assert ("VIEWSPACE", None, None) in got
    want: set[tuple[str, str | None, str | None]] = set()
    for perm in held:
        kind = TYPES.get((perm.key, perm.target))
        if kind is None:
            continue
        if perm.principal_type == "user" and perm.principal_id in directory.by_account:
            want.add((kind, directory.by_account[perm.principal_id].username, None))
        elif perm.principal_type == "group":
            want.add((kind, None, site.state.groups[perm.principal_id].name))
        elif perm.principal_type == PRINCIPAL_ACCESS_CLASS and perm.principal_id == ANONYMOUS:
            want.add((kind, None, None))
    assert got == want


@pytest.mark.parametrize("status", [403, 404])
def test_the_remote_api_switched_off_answers_the_configured_status(status: int) -> None:
    spec = SiteSpec(**BASE, remote_api_enabled=False, remote_api_off_status=status)
    with SimulatedSite(spec, flavor=datacenter_flavor()) as site:
        assert call(site, "getServerInfo").status_code == status


def test_unknown_methods_are_json_rpc_errors_and_server_info_has_the_version() -> None:
    with SimulatedSite(SiteSpec(**BASE, server_version="8.5.4"), flavor=datacenter_flavor()) as site:
        unknown = call(site, "getNothing").json()
        info = call(site, "getServerInfo").json()["result"]
    assert unknown["error"]["code"] == -32601
    assert (info["majorVersion"], info["minorVersion"], info["patchLevel"]) == (8, 5, 4)


def test_a_pat_can_be_refused_by_the_remote_api_only() -> None:
    with SimulatedSite(SiteSpec(**BASE, remote_api_accepts_pat=False), flavor=datacenter_flavor()) as site:
        assert call(site, "getServerInfo").status_code == 401
        rest = httpx.get(site.site_url + "/rest/api/group", headers={"Authorization": f"Bearer {PAT}"})
        assert rest.status_code == 200


def test_before_9_1_the_rest_permission_endpoints_are_absent() -> None:
    with SimulatedSite(SiteSpec(**BASE, server_version="8.5.4"), flavor=datacenter_flavor()) as site:
        key = next(s.key for s in site.state.spaces.values() if not s.hidden)
        headers = {"Authorization": f"Bearer {PAT}"}
        for path in (f"/rest/api/space/{key}/permissions", f"/rest/api/space/{key}/permissions/anonymous",
                     "/rest/api/server-information"):
            assert httpx.get(site.site_url + path, headers=headers).status_code == 404, path


@pytest.mark.parametrize("include_archived", [False, True])
def test_an_unfiltered_space_listing_plays_both_defaults(include_archived: bool) -> None:
    spec = SiteSpec(**{**BASE, "spaces": 10}, archived_space_fraction=0.5,
                    spaces_unfiltered_include_archived=include_archived)
    with SimulatedSite(spec, flavor=datacenter_flavor()) as site:
        headers = {"Authorization": f"Bearer {PAT}"}
        listed = httpx.get(site.site_url + "/rest/api/space?limit=100", headers=headers).json()["results"]
        archived = httpx.get(site.site_url + "/rest/api/space?limit=100&status=archived", headers=headers).json()
        visible = [s for s in site.state.spaces.values() if not s.hidden]
    want = {s.key for s in visible if include_archived or s.status == "current"}
    assert {s["key"] for s in listed} == want
    assert {s["key"] for s in archived["results"]} == {s.key for s in visible if s.status == "archived"} != set()
