"""What the review must say about tests/baton/inspect/handmade_activity.py, worked out from its tables
alone (no code under test): who holds what and how, who is dormant, who administers what."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tests.baton.inspect.handmade_activity import ACCOUNTS, DIRECT_GRANTS, ENABLED, GROUPS, SERVICE, Account

DIRECT = ""


@dataclass(frozen=True, order=True)
class Held:
    principal: str  # `type:id`
    resource: str  # `type:id`
    slug: str
    via: str  # DIRECT or `group:<id>`


def held() -> set[Held]:
    out = {Held(f"user:{u}", f"group:{g}", "member", DIRECT) for g, (_, users) in GROUPS.items() for u in users}
    for (rtype, rid, _), slug, who in DIRECT_GRANTS:
        out.add(Held(who, f"{rtype}:{rid}", slug, DIRECT))
        if who.startswith("group:"):
            for u in GROUPS[who.removeprefix("group:")][1]:
                out.add(Held(f"user:{u}", f"{rtype}:{rid}", slug, who))
    return out


def grants_of(principal: str) -> set[tuple[str, str]]:
    """(resource, slug) of each grant the principal holds, however many routes lead to it."""
    return {(h.resource, h.slug) for h in held() if h.principal == principal}


def dormant(days: int) -> list[tuple[str, int]]:
    """(account, grants) of the dormant accounts holding access: never first, then the longest idle."""

    def is_dormant(a: Account) -> bool:
        if a.status != ENABLED or not grants_of(f"user:{a.id}"):
            return False
        return a.kind != SERVICE if a.days is None else a.days >= days

    found = [a for a in ACCOUNTS if is_dormant(a)]
    found.sort(key=lambda a: (a.days is not None, -(a.days or 0), a.id))
    return [(f"user:{a.id}", len(grants_of(f"user:{a.id}"))) for a in found]


def administered(principal: str) -> set[str]:
    return {resource for resource, slug in grants_of(principal) if slug.startswith("administer-")}


def dormant_admins(days: int) -> list[tuple[str, set[str]]]:
    return [(who, administered(who)) for who, _ in dormant(days) if administered(who)]


def site_permissions() -> dict[str, tuple[set[str], set[str], dict[str, int]]]:
    """slug -> (accounts holding it, principals granted it directly, group -> members via it)."""
    out: dict[str, tuple[set[str], set[str], dict[str, int]]] = {}
    site_held = [h for h in held() if h.resource.startswith("site:")]
    for slug in {h.slug for h in site_held}:
        mine = [h for h in site_held if h.slug == slug]
        via: dict[str, int] = defaultdict(int)
        for h in mine:
            if h.via != DIRECT:
                via[h.via] += 1
        out[slug] = (
            {h.principal for h in mine if h.principal.startswith("user:")},
            {h.principal for h in mine if h.via == DIRECT},
            dict(via),
        )
    return out


def site_admin_routes() -> dict[tuple[str, str], set[str]]:
    """(account, administrative slug on the site) -> its routes (DIRECT or the group)."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for h in held():
        if h.resource.startswith("site:") and h.slug.startswith("administer-") and h.principal.startswith("user:"):
            out[(h.principal, h.slug)].add(h.via)
    return dict(out)
