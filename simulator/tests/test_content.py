"""The simulated site's content endpoints: shapes of the v1 schema, truncated inline lists, the
byOperation window, writes, the v2 page listing and the 410 switch (FACTS.md §Restricted content)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator.content_spec import ContentSpec
from confluence_simulator.generator import generate
from site_helpers import client_for

CONTENT = ContentSpec(pages_per_space=60, blogposts_per_space=4, restricted_fraction=0.4, inline_limit=3,
                      big_list_fraction=0.3)
SPEC = SiteSpec(seed=5, users=30, groups=6, spaces=4, content=CONTENT)
EXPAND = ("ancestors,restrictions.read.restrictions.user,restrictions.read.restrictions.group,"
          "restrictions.update.restrictions.user,restrictions.update.restrictions.group")
XSRF = {"X-Atlassian-Token": "no-check"}


@pytest.fixture()
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC) as running:
        yield running
        assert running.internal_errors == []


def _space(site: SimulatedSite) -> tuple[int, str]:
    space = next(s for s in site.state.spaces.values() if not s.hidden)
    return space.id, space.key



def test_listing_pages_every_item_with_its_restrictions_when_expanded(site: SimulatedSite) -> None:
    space_id, key = _space(site)
    state = site.state
    with client_for(site) as c:
        plain = c.get("/wiki/rest/api/content", params={"spaceKey": key, "type": "page", "limit": 10}).json()
        assert all("restrictions" not in item and "ancestors" not in item for item in plain["results"])
        seen = []
        start = 0
        while True:
            body = c.get("/wiki/rest/api/content",
                         params={"spaceKey": key, "type": "page", "start": start, "limit": 25, "expand": EXPAND}).json()
            assert set(body) >= {"results", "start", "limit", "size", "_links"}
            seen.extend(body["results"])
            if "next" not in body["_links"]:
                break
            start += len(body["results"])
    want = [state.content.by_id[i] for i in state.content.listing(space_id, "page")]
    assert [int(item["id"]) for item in seen] == [c.id for c in want]
    for item, content in zip(seen, want, strict=True):
        assert [int(a["id"]) for a in item["ancestors"]] == list(content.ancestors)
        for operation in ("read", "update"):
            restriction = item["restrictions"][operation]
            assert restriction["operation"] == operation and {"_expandable", "_links"} <= set(restriction)
            users = restriction["restrictions"]["user"]
            groups = restriction["restrictions"]["group"]
            assert {"results", "start", "limit", "size"} <= set(groups)
            listed = content.restrictions[operation]
            assert [u["accountId"] for u in users["results"]] == listed.users[: CONTENT.inline_limit]
            assert [g["id"] for g in groups["results"]] == listed.groups[: CONTENT.inline_limit]
            assert ("next" in users["_links"]) == (len(listed.users) > CONTENT.inline_limit)


def test_by_operation_windows_users_and_groups_together(site: SimulatedSite) -> None:
    content = next(c for c in site.state.content.all() if len(c.restrictions["read"].users) > CONTENT.inline_limit
                   and not site.state.spaces[c.space_id].hidden)
    users: list[str] = []
    with client_for(site) as c:
        start = 0
        while True:
            body = c.get(f"/wiki/rest/api/content/{content.id}/restriction/byOperation/read",
                         params={"start": start, "limit": 4}).json()
            got = body["restrictions"]["user"]["results"]
            users.extend(u["accountId"] for u in got)
            if len(got) < 4:
                break
            start += 4
        assert users == content.restrictions["read"].users
        assert c.get(f"/wiki/rest/api/content/{content.id}/restriction/byOperation/copy").status_code == 400
        assert c.get("/wiki/rest/api/content/1/restriction/byOperation/read").status_code == 404


def test_restriction_writes_change_the_state(site: SimulatedSite) -> None:
    content = next(c for c in site.state.content.all() if not site.state.spaces[c.space_id].hidden)
    account = next(a for a in sorted(site.state.users) if a not in content.restrictions["update"].users
                   and site.state.users[a].account_type == "atlassian")
    group = sorted(site.state.groups)[0]
    base = f"/wiki/rest/api/content/{content.id}/restriction/byOperation/update"
    with client_for(site) as c:
        assert c.put(base + "/user", params={"accountId": account}).status_code == 403  # XSRF
        for _ in range(2):
            assert c.put(base + "/user", params={"accountId": account}, headers=XSRF).status_code == 200
        assert content.restrictions["update"].users.count(account) == 1
        assert c.delete(base + "/user", params={"accountId": account}, headers=XSRF).status_code == 200
        assert account not in content.restrictions["update"].users
        assert c.put(base + f"/byGroupId/{group}", headers=XSRF).status_code == 200
        assert group in content.restrictions["update"].groups
        assert c.put(base + "/byGroupId/no-such-group", headers=XSRF).status_code == 404


def test_v2_pages_have_no_restrictions(site: SimulatedSite) -> None:
    space_id, _ = _space(site)
    ids: list[int] = []
    with client_for(site) as c:
        url = f"/wiki/api/v2/spaces/{space_id}/pages?limit=25"
        while url:
            body = c.get(url).json()
            assert all("restrictions" not in item for item in body["results"])
            ids.extend(int(item["id"]) for item in body["results"])
            url = body["_links"].get("next", "")
    assert ids == site.state.content.listing(space_id, "page")


def test_content_leaves_the_rest_of_a_seed_unchanged() -> None:
    with_content = generate(SPEC)
    without = generate(replace(SPEC, content=replace(CONTENT, pages_per_space=0, blogposts_per_space=0)))
    assert without.content.all() == [] and with_content.content.all()
    assert with_content.search_all == without.search_all
    assert {g: x.members for g, x in with_content.groups.items()} == {g: x.members for g, x in without.groups.items()}
    assert list(with_content.all_permissions()) == list(without.all_permissions())


@pytest.mark.parametrize(
    ("switch", "listing"),
    [("v1_content_gone", 410), ("v1_restrictions_gone", 200)],
    ids=["every-v1-content-endpoint", "restriction-endpoints-only"],
)
def test_gone_switches_answer_410(switch: str, listing: int) -> None:
    spec = replace(SPEC, content=replace(CONTENT, **{switch: True}))
    with SimulatedSite(spec) as site, client_for(site) as c:
        space_id, key = _space(site)
        content_id = site.state.content.listing(space_id, "page")[0]
        assert c.get("/wiki/rest/api/content", params={"spaceKey": key}).status_code == listing
        assert c.get(f"/wiki/rest/api/content/{content_id}/restriction/byOperation/read").status_code == 410
        put = c.put(f"/wiki/rest/api/content/{content_id}/restriction/byOperation/read/user",
                    params={"accountId": site.state.admin_account_id}, headers=XSRF)
        assert put.status_code == 410
        assert c.get(f"/wiki/api/v2/spaces/{space_id}/pages").status_code == 200
