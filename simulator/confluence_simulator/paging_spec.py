"""How the simulated site pages its v1 (offset) listings: switches for what Atlassian does not promise.

Atlassian's v1 schema gives a listing `start`, `limit`, `size` and a free-form `_links`: it does not
promise `_links.next`, a site may serve fewer items than asked ("may be restricted by fixed system
limits"), `totalSize` is unreliable, and Data Center has been seen to advance `next` by the limit
asked while serving fewer. Each switch plays one of those behaviours (FACTS.md §v1 paging,
DC_FACTS.md §Site and transport); the defaults are the simulator's historical behaviour. Of v2 cursor
listings only the page size can be capped (`v2_page_cap`).
"""

from __future__ import annotations

from dataclasses import dataclass

# Listing names, stable because tests pick listings by them.
SEARCH_USER = "search_user"  # Cloud GET /search/user
GROUP = "group"  # Cloud GET /group
GROUP_MEMBERS = "group_members"  # Cloud GET /group/{id}/membersByGroupId
USER_MEMBEROF = "user_memberof"  # Cloud GET /user/memberof
CONTENT = "content"  # Cloud and DC GET /content (content_api.py)
DC_USERS = "dc_users"  # DC GET /user/list
DC_GROUPS = "dc_groups"  # DC GET /group
DC_GROUP_MEMBERS = "dc_group_members"  # DC GET /group/{groupName}/member
DC_SPACES = "dc_spaces"  # DC GET /space

CLOUD_V1_LISTINGS = frozenset({SEARCH_USER, GROUP, GROUP_MEMBERS, USER_MEMBEROF, CONTENT})
DC_V1_LISTINGS = frozenset({DC_USERS, DC_GROUPS, DC_GROUP_MEMBERS, DC_SPACES})
ALL_V1_LISTINGS = CLOUD_V1_LISTINGS | DC_V1_LISTINGS


@dataclass(frozen=True)
class PagingSpec:
    # Listings whose bodies carry `_links.next` while results remain; the others never do.
    next_links: frozenset[str] = ALL_V1_LISTINGS
    # Most items any v1 page serves, below the asked (and endpoint-clamped) limit; None: no cap.
    page_cap: int | None = None
    # Whether v1 bodies carry `limit` (the capped value when `page_cap` applies).
    echo_limit: bool = True
    # Bodies that carry `totalSize` report half the real total instead of their usual value.
    wrong_total_size: bool = False
    # Data Center: `_links.next` advances `start` by the limit asked, not by the items served.
    dc_next_advances_by_asked: bool = False
    # v2 cursor listings: most items a page serves (None: the asked limit, up to 250). Small pages
    # make a small site page, e.g. through the gateway, whose `_links.next` drop its path prefix.
    v2_page_cap: int | None = None

    def __post_init__(self) -> None:
        unknown = set(self.next_links) - ALL_V1_LISTINGS
        if unknown:
            raise ValueError(f"unknown v1 listings in next_links: {sorted(unknown)}")
        if self.page_cap is not None and self.page_cap < 1:
            raise ValueError("page_cap must be at least 1 or None")
