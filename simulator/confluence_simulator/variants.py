"""Adds the data `DataVariants` switches on to a generated site (see variants_spec.py).

Runs after the base generator, on its own `random.Random` seeded from the site's seed, so a site
whose switches are all off is exactly the site the base generator made, and switching one on
never reshuffles the rest of the site. Facts: FACTS.md §Data variants.
"""

from __future__ import annotations

import random
from dataclasses import replace

from confluence_simulator import generator as base
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import (
    ACCOUNT_ACTIVE,
    ACCOUNT_INACTIVE,
    PRINCIPAL_USER,
    ROLE_PRINCIPAL_USER,
    SiteState,
    User,
)

# Share of the accounts whose email, displayName and publicName are served as JSON null.
NULL_PROFILE_FRACTION = 0.25

Ops = tuple[tuple[str, str], ...]
ADMINISTER: Ops = (("administer", "space"),)


def apply_variants(spec: SiteSpec, state: SiteState) -> None:
    variants = spec.variants
    rng = random.Random(f"variants:{spec.seed}")
    ids = base.Ids(rng)
    spaces = _grantable_spaces(state)
    for i in range(variants.ungrouped_users):
        _add_ungrouped(spec, state, rng, ids, spaces, guest=False, holds=i % 2 == 0, n=i)
    for i in range(variants.ungrouped_guests):
        _add_ungrouped(spec, state, rng, ids, spaces, guest=True, holds=i % 2 == 0, n=i)
    if variants.app_permissions:
        _give_apps_permissions(state, rng, spaces)
    for i in range(variants.missing_principals):
        _add_missing_principal(spec, state, rng, ids, spaces, legacy=i % 3 == 0)
    if variants.null_optional_fields:
        _null_profiles(state, rng)


def _grantable_spaces(state: SiteState) -> list[int]:
    """Spaces the variant principals get permissions in: visible team spaces first (so a sync sees
    them), then any visible space, then any space at all."""
    visible = [s for s in state.visible_spaces.values()]
    team = [s.id for s in visible if s.type != "personal"]
    return team or [s.id for s in visible] or sorted(state.spaces)


def _grant(state: SiteState, space_id: int, account_id: str, ops: Ops) -> None:
    for key, target in ops:
        if state.find_permission(space_id, PRINCIPAL_USER, account_id, key, target) is None:
            state.add_space_permission(space_id, PRINCIPAL_USER, account_id, key, target)


def _add_ungrouped(
    spec: SiteSpec,
    state: SiteState,
    rng: random.Random,
    ids: base.Ids,
    spaces: list[int],
    *,
    guest: bool,
    holds: bool,
    n: int,
) -> None:
    """One licensed human (or guest) in no group, placed anywhere in the search order; when it
    `holds`, it has direct permissions (a guest: read/space in one space)."""
    first, last = rng.choice(base.FIRST_NAMES), rng.choice(base.LAST_NAMES)
    name = f"{first} {last} (guest)" if guest else f"{first} {last}"
    domain = "partner.example.org" if guest else "example.com"
    status = ACCOUNT_INACTIVE if rng.random() < spec.deactivated_fraction else ACCOUNT_ACTIVE
    user = User(ids.account_id(False), "atlassian", name, name, f"{first.lower()}.{last.lower()}.solo{n}@{domain}",
                status, guest, rng.choice(base.TIME_ZONES))
    state.add_user(user, at=rng.random())
    if not holds or not spaces:
        return
    if guest:
        _grant(state, rng.choice(spaces), user.account_id, base.VIEW)
        return
    for space_id in rng.sample(spaces, min(len(spaces), rng.randint(1, 3))):
        _grant(state, space_id, user.account_id, base.VIEW + tuple(rng.sample(base.EDIT, rng.randint(0, 3))))


def _give_apps_permissions(state: SiteState, rng: random.Random, spaces: list[int]) -> None:
    """Every app joins a group of humans and holds permissions in up to two spaces; the first app
    administers its first space."""
    apps = [a for a in state.search_all if state.users[a].account_type == "app"]
    human_groups = [g for g in state.group_order if state.groups[g].name != base.APP_GROUP]
    for n, account_id in enumerate(apps):
        if human_groups:
            state.add_group_member(rng.choice(human_groups), account_id)
        for k, space_id in enumerate(rng.sample(spaces, min(len(spaces), 2))):
            extra = ADMINISTER if n == 0 and k == 0 else tuple(rng.sample(base.EDIT, 2))
            _grant(state, space_id, account_id, base.VIEW + extra)


def _add_missing_principal(
    spec: SiteSpec, state: SiteState, rng: random.Random, ids: base.Ids, spaces: list[int], *, legacy: bool
) -> None:
    """A deleted account: named by permissions (and a role assignment under RBAC), known to no
    listing and to no lookup."""
    account_id = ids.account_id(legacy)
    state.deleted_accounts.append(account_id)
    if not spaces:
        return
    for space_id in rng.sample(spaces, min(len(spaces), rng.randint(1, 2))):
        _grant(state, space_id, account_id, base.VIEW + tuple(rng.sample(base.EDIT, rng.randint(0, 2))))
    if spec.rbac_enabled and state.roles:
        state.set_role_assignment(rng.choice(spaces), ROLE_PRINCIPAL_USER, account_id, rng.choice(state.roles).id)


def _null_profiles(state: SiteState, rng: random.Random) -> None:
    """A fraction of the accounts (never the calling admin, whose email is its login) get null names."""
    others = [a for a in state.search_all if a != state.admin_account_id]
    for account_id in rng.sample(others, round(len(others) * NULL_PROFILE_FRACTION)):
        state.users[account_id] = replace(state.users[account_id], null_profile=True)
