"""The simulated site's organization admin API, tenant_info and DC admin listing, over HTTP."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from confluence_simulator import SimulatedSite, SiteSpec, datacenter_flavor
from confluence_simulator.activity import activity_of
from confluence_simulator.dc_directory import Directory
from confluence_simulator.org_admin import org_admin_site
from confluence_simulator.site_admin_spec import SiteAdminSpec
from confluence_simulator.site_global import cloud_id_of

SPEC = SiteSpec(seed=3, users=12, groups=5, spaces=2, permissions_per_space=4, guest_accounts=2, app_accounts=2)
ORG = SPEC.site_admin.org_id
KEY = {"Authorization": f"Bearer {SPEC.site_admin.org_api_key}"}


def test_tenant_info_names_the_cloud_id() -> None:
    with SimulatedSite(SPEC) as site:
        answer = httpx.get(site.url + "/_edge/tenant_info", auth=(SPEC.username, SPEC.api_token))
    assert answer.json() == {"cloudId": cloud_id_of(SPEC)}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic eDp5"}])
def test_admin_api_refuses_a_missing_or_wrong_key(headers: dict[str, str]) -> None:
    with SimulatedSite(SPEC) as site, org_admin_site(site) as admin:
        answer = httpx.post(f"{admin.url}/admin/v2/orgs/{ORG}/directories/-/users/search", json={}, headers=headers)
    assert answer.status_code == 401


def test_bulk_search_pages_cover_exactly_the_org_members() -> None:
    spec = replace(SPEC, site_admin=SiteAdminSpec(bulk_page_size=5))
    with SimulatedSite(spec) as site, org_admin_site(site) as admin:
        seen: list[str] = []
        cursor = None
        while True:
            body = {"limit": 50, "expand": ["productAccess"]} | ({"cursor": cursor} if cursor else {})
            page = httpx.post(f"{admin.url}/admin/v2/orgs/{ORG}/directories/-/users/search", json=body,
                              headers=KEY).json()
            assert len(page["data"]) <= 5
            seen.extend(u["accountId"] for u in page["data"])
            cursor = page["links"].get("next")
            if not cursor:
                break
        other_org = httpx.post(f"{admin.url}/admin/v2/orgs/elsewhere/directories/-/users/search", json={}, headers=KEY)
    members = {a for a, u in site.state.users.items() if activity_of(spec, u).in_org}
    assert len(seen) == len(set(seen)) and set(seen) == members
    assert any(u.account_type == "app" for u in site.state.users.values()) and members != set(site.state.users)
    assert other_org.status_code == 404


@pytest.mark.parametrize("status", [403, 404, 405])
def test_absent_bulk_route_answers_its_status_and_per_account_reads_remain(status: int) -> None:
    spec = replace(SPEC, site_admin=SiteAdminSpec(bulk_search=False, bulk_absent_status=status))
    with SimulatedSite(spec) as site, org_admin_site(site) as admin:
        bulk = httpx.post(f"{admin.url}/admin/v2/orgs/{ORG}/directories/-/users/search", json={}, headers=KEY)
        dates = {
            a: httpx.get(f"{admin.url}/admin/v1/orgs/{ORG}/directory/users/{a}/last-active-dates", headers=KEY)
            for a in site.state.users
        }
    assert bulk.status_code == status
    for account_id, answer in dates.items():
        activity = activity_of(spec, site.state.users[account_id])
        if not activity.in_org:
            assert answer.status_code == 404
            continue
        confluence = [e for e in answer.json()["data"]["product_access"]
                      if e["key"] == "confluence" and e["id"].endswith(cloud_id_of(spec))]
        assert [e["last_active"] for e in confluence] == ([activity.day.isoformat()] if activity.day else [])


def test_admin_api_has_its_own_rate_limit() -> None:
    spec = replace(SPEC, site_admin=SiteAdminSpec(admin_rate_limit_rps=2))
    with SimulatedSite(spec) as site, org_admin_site(site) as admin:
        statuses = [httpx.get(f"{admin.url}/admin/v2/orgs/{ORG}/directories/-/groups", headers=KEY).status_code
                    for _ in range(6)]
        site_ok = httpx.get(site.url + "/_edge/tenant_info", auth=(SPEC.username, SPEC.api_token)).status_code
    assert 429 in statuses and site_ok == 200
    assert admin.stats.rate_limited_count > 0 and site.stats.rate_limited_count == 0


def test_dc_admin_listing_pages_licensed_users_only() -> None:
    spec = replace(SPEC, server_version="9.3.1", personal_access_token="pat", users=30)
    with SimulatedSite(spec, flavor=datacenter_flavor("/c")) as site:
        keys: list[str] = []
        start = 0
        while True:
            page = httpx.get(f"{site.site_url}/rest/api/admin/users/list/active",
                             params={"start": start, "limit": 7, "expand": "lastLogin"},
                             headers={"Authorization": "Bearer pat"}).json()
            keys.extend(u["userKey"] for u in page["results"])
            if "next" not in page["_links"]:
                break
            start += len(page["results"])
        old = replace(spec, server_version="9.2.1")
    with SimulatedSite(old, flavor=datacenter_flavor("/c")) as before:
        absent = httpx.get(f"{before.site_url}/rest/api/admin/users/list/active", headers={"Authorization": "Bearer pat"})
    licensed = [e.user_key for e in Directory(site.state, spec).listed() if site.state.users[e.account_id].active]
    assert keys == licensed and len(keys) > 7
    assert absent.status_code == 404
