"""Builds a `SiteState` from a `SiteSpec`, deterministically.

All randomness comes from one `random.Random(spec.seed)` and uuids are made from its bits (never
uuid4 or the global `random`), so the same spec always yields the same accounts, ids, memberships
and permissions. The shapes follow what real Cloud sites contain (see FACTS.md): a couple of huge
default groups, admin groups, app bots, guests, deactivated and closed accounts, hidden emails,
personal spaces keyed `~accountId`, archived spaces, anonymous access, and permissions that mix
the classic targets with the newer ones (whiteboard, database, embed, folder).
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import (
    ACCOUNT_ACTIVE,
    ACCOUNT_CLOSED,
    ACCOUNT_INACTIVE,
    ANONYMOUS,
    PRINCIPAL_ACCESS_CLASS,
    PRINCIPAL_GROUP,
    PRINCIPAL_ROLE,
    PRINCIPAL_USER,
    ROLE_PRINCIPAL_ACCESS_CLASS,
    ROLE_PRINCIPAL_GROUP,
    ROLE_PRINCIPAL_USER,
    Group,
    SiteState,
    Space,
    SpaceRole,
    User,
)

FIRST_NAMES = (
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Edsger",
    "Radia", "Guido", "Hedy", "Tim", "Katherine", "John", "Sophie", "Niklaus", "Anita", "Bjarne",
    "Shafi", "Donald", "Lynn", "Vint", "Joan", "Leslie", "Carol", "Yukihiro", "Mary", "Brian",
)
LAST_NAMES = (
    "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen",
    "Dijkstra", "Perlman", "Rossum", "Lamarr", "Berners-Lee", "Johnson", "McCarthy", "Wilson", "Wirth",
    "Borg", "Stroustrup", "Goldwasser", "Knuth", "Conway", "Cerf", "Clarke", "Lamport", "Shaw",
    "Matsumoto", "Keller", "Kernighan",
)
TIME_ZONES = ("Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Tokyo", "UTC", "America/Denver")
_APP_NAMES = (
    "Jira Cloud", "Slack", "Microsoft Teams", "Automation for Confluence", "Trello", "Opsgenie",
    "draw.io Diagrams", "Confluence Analytics", "Loom", "Atlassian Assist",
)
_DEPARTMENTS = (
    "engineering", "marketing", "sales", "finance", "legal", "design", "support", "platform",
    "security", "data", "people-ops", "product", "research", "qa", "devops", "docs",
)
_SPACE_WORDS = (
    "Engineering", "Handbook", "Roadmap", "Onboarding", "Architecture", "Release Notes", "Runbooks",
    "Marketing", "Sales Playbook", "Finance", "Legal", "Design System", "Support KB", "Research",
    "Security", "Data Platform", "Product", "HR", "IT Help", "Incidents", "Team Rituals", "Wiki",
)
_CUSTOM_ROLE_NAMES = ("Editor (no delete)", "Auditor", "Publisher", "Commenter", "Archivist", "Owner")

# Default groups of a Cloud site, most important first; the first two are the "big" ones.
BIG_GROUPS = ("confluence-users", "jira-software-users")
ADMIN_GROUPS = ("site-admins", "confluence-admins")
APP_GROUP = "atlassian-addons-admin"
_DEFAULT_GROUP_ORDER = ("confluence-users", "site-admins", "confluence-admins", "jira-software-users", APP_GROUP)

# Permission bundles (operation key, target type). v2 lists also carry the newer targets.
VIEW = (("read", "space"),)
EDIT = (
    ("create", "page"), ("create", "blogpost"), ("create", "comment"), ("create", "attachment"),
    ("delete", "space"), ("create", "whiteboard"), ("create", "database"), ("create", "embed"),
    ("create", "folder"),
)
MODERATE = (
    ("delete", "page"), ("delete", "blogpost"), ("delete", "comment"), ("delete", "attachment"),
    ("archive", "page"), ("restrict_content", "space"), ("export", "space"), ("delete", "whiteboard"),
    ("delete", "database"), ("delete", "embed"), ("delete", "folder"),
)
OWNER = (("read", "space"), ("administer", "space"), ("export", "space"), ("restrict_content", "space"))
# Only with `SiteSpec.newer_permissions`: archive on the newer targets (a documented screen column)
# and two pairs no source names as space permissions, which a real listing might still carry
# (FACTS.md, docs/permissions.md).
NEWER = (("archive", "whiteboard"), ("archive", "database"), ("archive", "embed"), ("copy", "page"), ("move", "page"))

# Default RBAC roles (four, per Atlassian's "What are Confluence's roles?") and their permissions.
_SYSTEM_ROLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Admin", "Manages everything in the space.",
     ("read/space", "administer/space", "export/space", "restrict_content/space", "create/page",
      "create/blogpost", "create/comment", "create/attachment", "delete/page", "delete/blogpost",
      "delete/comment", "delete/attachment", "archive/page", "delete/space")),
    ("Manager", "Manages people and content but not settings.",
     ("read/space", "export/space", "restrict_content/space", "create/page", "create/blogpost",
      "create/comment", "create/attachment", "delete/page", "delete/blogpost", "delete/comment",
      "delete/attachment", "archive/page", "delete/space")),
    ("Collaborator", "Adds and edits content in the space.",
     ("read/space", "create/page", "create/blogpost", "create/comment", "create/attachment",
      "delete/space")),
    ("Viewer", "Views and comments on content in the space.", ("read/space", "create/comment")),
)


class Ids:
    """Id and uuid factory bound to the generator's rng."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def account_id(self, legacy: bool) -> str:
        # Two real formats: "557058:<uuid>" (older accounts, app bots) and 24 hex digits.
        if legacy:
            return f"557058:{self.uuid()}"
        return f"{self.rng.getrandbits(96):024x}"


def generate(spec: SiteSpec) -> SiteState:
    rng = random.Random(spec.seed)
    ids = Ids(rng)
    state = SiteState()

    humans, guests, apps, customers = _make_accounts(spec, rng, ids)
    spaces, owners = _make_spaces(spec, rng, humans)
    # Personal spaces are found from their owners too (v2 users-bulk `personalSpaceId`).
    owned = {owner: space.id for space, owner in owners.items()}
    humans = [replace(u, personal_space_id=owned.get(u.account_id)) for u in humans]

    everyone = humans + guests + apps + customers
    order = list(everyone)
    rng.shuffle(order)  # search results are not grouped by kind on a real site
    for user in order:
        state.add_user(user)
    state.admin_account_id = humans[0].account_id

    _make_groups(spec, rng, ids, state, humans, guests, apps)
    for space in spaces:
        state.add_space(space)
    if spec.rbac_enabled:
        _make_roles(spec, ids, state)
    _make_permissions(spec, rng, state, humans, guests, owners)
    if spec.rbac_enabled:
        _make_role_assignments(spec, rng, state, humans, owners)
    # Imported here: the variants build on this module's names and bundles (variants.py).
    from confluence_simulator.variants import apply_variants

    apply_variants(spec, state)
    from confluence_simulator.content_generator import generate_content

    generate_content(spec.content, spec.seed, state)
    return state


def _make_accounts(
    spec: SiteSpec, rng: random.Random, ids: Ids
) -> tuple[list[User], list[User], list[User], list[User]]:
    humans: list[User] = []
    for i in range(spec.users):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{first} {last}"
        if i == 0:
            # The calling account: a site admin whose email is the login name.
            humans.append(User(ids.account_id(False), "atlassian", name, name, spec.username,
                               ACCOUNT_ACTIVE, False, rng.choice(TIME_ZONES)))
            continue
        email = f"{first.lower()}.{last.lower()}{i}@example.com"
        visible = rng.random() < spec.email_visible_fraction
        # Privacy can also reduce the display name to the public name (a nickname).
        public = name if rng.random() < 0.8 else f"{first.lower()}{i}"
        humans.append(User(
            account_id=ids.account_id(rng.random() < 0.15),
            account_type="atlassian",
            display_name=name,
            public_name=public,
            email=email if visible else "",
            account_status=ACCOUNT_ACTIVE,
            external_collaborator=False,
            time_zone=rng.choice(TIME_ZONES) if visible else None,
        ))
    n_off = round((spec.users - 1) * spec.deactivated_fraction)
    for idx in rng.sample(range(1, spec.users), min(n_off, spec.users - 1)):
        closed = rng.random() < 0.2
        user = humans[idx]
        if closed:
            # Closed (deleted) accounts lose their profile: Confluence shows "Former user".
            humans[idx] = replace(user, account_status=ACCOUNT_CLOSED, display_name="Former user",
                                  public_name="Former user", email="", time_zone=None)
        else:
            humans[idx] = replace(user, account_status=ACCOUNT_INACTIVE)

    guests = []
    for i in range(spec.guest_accounts):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{first} {last} (guest)"
        guests.append(User(ids.account_id(False), "atlassian", name, name,
                           f"{first.lower()}.{last.lower()}{i}@partner.example.org", ACCOUNT_ACTIVE,
                           True, rng.choice(TIME_ZONES)))
    apps = []
    for i in range(spec.app_accounts):
        base = _APP_NAMES[i % len(_APP_NAMES)]
        name = base if i < len(_APP_NAMES) else f"{base} {i // len(_APP_NAMES) + 1}"
        apps.append(User(ids.account_id(True), "app", name, name, "", ACCOUNT_ACTIVE, False, None))
    customers = []
    for i in range(spec.customer_accounts):
        name = f"Portal Customer {i + 1}"
        customers.append(User(f"qm:{ids.uuid()}:{ids.uuid()}", "customer", name, name,
                              f"customer{i + 1}@customer.example.net", ACCOUNT_ACTIVE, False, None))
    return humans, guests, apps, customers


def _make_groups(
    spec: SiteSpec,
    rng: random.Random,
    ids: Ids,
    state: SiteState,
    humans: list[User],
    guests: list[User],
    apps: list[User],
) -> None:
    admin = humans[0].account_id
    human_ids = [u.account_id for u in humans]
    big_size = spec.big_group_size if spec.big_group_size is not None else round(0.9 * len(humans))
    big_size = max(1, min(big_size, len(humans)))
    n_default = min(spec.groups, len(_DEFAULT_GROUP_ORDER))

    for name in _DEFAULT_GROUP_ORDER[:n_default]:
        group = Group(ids.uuid(), name)
        if name in BIG_GROUPS:
            members = [admin, *rng.sample(human_ids[1:], big_size - 1)]
        elif name in ADMIN_GROUPS:
            members = [admin, *rng.sample(human_ids[1:], min(len(human_ids) - 1, rng.randint(1, 3)))]
        else:
            members = [a.account_id for a in apps]
        _fill(group, members)
        state.add_group(group)

    used = set(_DEFAULT_GROUP_ORDER)
    pool = human_ids + [g.account_id for g in guests]
    for i in range(spec.groups - n_default):
        name = f"{_DEPARTMENTS[i % len(_DEPARTMENTS)]}-team"
        if name in used:
            name = f"{_DEPARTMENTS[i % len(_DEPARTMENTS)]}-team-{i // len(_DEPARTMENTS) + 1}"
        used.add(name)
        size = max(1, round(rng.gauss(spec.members_per_group, spec.members_per_group / 3)))
        group = Group(ids.uuid(), name)
        _fill(group, rng.sample(pool, min(size, len(pool))))
        state.add_group(group)
    state.finish_groups()


def _fill(group: Group, members: list[str]) -> None:
    for account_id in members:
        if account_id not in group.member_set:
            group.members.append(account_id)
            group.member_set.add(account_id)


def _make_spaces(
    spec: SiteSpec, rng: random.Random, humans: list[User]
) -> tuple[list[Space], dict[Space, str]]:
    """Spaces sorted by id, and the owner account of every personal space."""
    n_personal = min(round(spec.spaces * spec.personal_space_fraction), len(humans))
    personal_slots = set(rng.sample(range(spec.spaces), n_personal))
    owners_pool = rng.sample(humans, n_personal)
    archived = set(rng.sample(range(spec.spaces), round(spec.spaces * spec.archived_space_fraction)))
    hidden = set(rng.sample(range(spec.spaces), round(spec.spaces * spec.hidden_space_fraction)))
    active_humans = [u for u in humans if u.active]
    epoch = datetime(2016, 1, 1, tzinfo=UTC)

    spaces: list[Space] = []
    owners: dict[Space, str] = {}
    used_keys: set[str] = set()
    next_id = 32768
    for i in range(spec.spaces):
        next_id += rng.randint(1, 400_000)  # real space ids are sparse
        created = epoch + timedelta(seconds=rng.randint(0, 9 * 365 * 86400), milliseconds=rng.randint(0, 999))
        created_at = created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{created.microsecond // 1000:03d}Z"
        status = "archived" if i in archived else "current"
        if i in personal_slots:
            owner = owners_pool.pop()
            # Personal space keys are "~" + the account id without punctuation.
            key = "~" + re.sub(r"[^0-9A-Za-z]", "", owner.account_id)
            space = Space(next_id, key, owner.display_name, "personal", status, owner.account_id,
                          created_at, next_id + rng.randint(1, 5000), i in hidden)
            owners[space] = owner.account_id
        else:
            word = _SPACE_WORDS[i % len(_SPACE_WORDS)]
            name = word if i < len(_SPACE_WORDS) else f"{word} {i // len(_SPACE_WORDS) + 1}"
            key = _space_key(name, used_keys)
            kind = rng.choices(("global", "collaboration", "knowledge_base"), (80, 12, 8))[0]
            author = rng.choice(active_humans).account_id
            space = Space(next_id, key, name, kind, status, author, created_at,
                          next_id + rng.randint(1, 5000), i in hidden)
        used_keys.add(space.key)
        spaces.append(space)
    return spaces, owners


def _space_key(name: str, used: set[str]) -> str:
    letters = re.sub(r"[^A-Z0-9]", "", name.upper())
    initials = "".join(w[0] for w in name.upper().split() if w[0].isalnum())
    base = (initials if len(initials) > 1 else letters[:4]) or "SPACE"
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base}{n}"
    return key


def _make_permissions(
    spec: SiteSpec,
    rng: random.Random,
    state: SiteState,
    humans: list[User],
    guests: list[User],
    owners: dict[Space, str],
) -> None:
    groups = {name: state.groups_by_name[name].id for name in state.groups_by_name}
    team_groups = [g for name, g in groups.items() if name not in _DEFAULT_GROUP_ORDER]
    people = [u.account_id for u in humans[1:]] + [g.account_id for g in guests]
    viewer_role = next((r.id for r in state.roles if r.name == "Viewer"), None)
    target = max(1, spec.permissions_per_space)

    for space in state.spaces.values():
        granted: set[tuple[str, str]] = set()

        def grant(subject: tuple[str, str], ops: tuple[tuple[str, str], ...], space_id: int = space.id,
                  granted: set[tuple[str, str]] = granted) -> None:
            granted.add(subject)
            for key, tgt in ops:
                if state.find_permission(space_id, subject[0], subject[1], key, tgt) is None:
                    state.add_space_permission(space_id, subject[0], subject[1], key, tgt)

        table = state.permissions[space.id].by_id
        if space in owners:
            grant((PRINCIPAL_USER, owners[space]), OWNER + EDIT[:5])
            if "confluence-users" in groups and rng.random() < 0.3:
                grant((PRINCIPAL_GROUP, groups["confluence-users"]), VIEW)
            continue

        grant((PRINCIPAL_USER, space.author_id), OWNER)
        if "confluence-admins" in groups:
            grant((PRINCIPAL_GROUP, groups["confluence-admins"]), (("read", "space"), ("administer", "space")))
        if "confluence-users" in groups:
            grant((PRINCIPAL_GROUP, groups["confluence-users"]), VIEW + EDIT[: rng.randint(0, len(EDIT))])
        if rng.random() < 0.1:
            # Public space: anonymous access shows up as a non-user, non-group principal.
            grant((PRINCIPAL_ACCESS_CLASS, ANONYMOUS), VIEW)
        if viewer_role is not None and rng.random() < 0.2:
            grant((PRINCIPAL_ROLE, viewer_role), VIEW)
        attempts = 0
        while len(table) < target and attempts < 4 * target:
            attempts += 1
            if team_groups and (rng.random() < 0.6 or not people):
                subject = (PRINCIPAL_GROUP, rng.choice(team_groups))
            elif people:
                subject = (PRINCIPAL_USER, rng.choice(people))
            else:
                break
            if subject in granted:
                continue
            room = target - len(table)
            extra = rng.sample(EDIT + MODERATE, min(len(EDIT + MODERATE), max(0, rng.randint(0, room - 1))))
            grant(subject, VIEW + tuple(extra))

    if spec.newer_permissions:
        # A pass of its own after the rest, drawing nothing from `rng`: the site is otherwise the
        # same as without the switch, permission ids included.
        for space in state.spaces.values():
            holder = owners.get(space, space.author_id)
            for key, tgt in NEWER:
                if state.find_permission(space.id, PRINCIPAL_USER, holder, key, tgt) is None:
                    state.add_space_permission(space.id, PRINCIPAL_USER, holder, key, tgt)


def _make_roles(spec: SiteSpec, ids: Ids, state: SiteState) -> None:
    for name, description, perms in _SYSTEM_ROLES:
        state.add_role(SpaceRole(ids.uuid(), "SYSTEM", name, description, perms))
    for i in range(spec.custom_roles):
        base = _CUSTOM_ROLE_NAMES[i % len(_CUSTOM_ROLE_NAMES)]
        name = base if i < len(_CUSTOM_ROLE_NAMES) else f"{base} {i // len(_CUSTOM_ROLE_NAMES) + 1}"
        perms = _SYSTEM_ROLES[2 + i % 2][2] + ("export/space",)
        state.add_role(SpaceRole(ids.uuid(), "CUSTOM", name, f"Custom role: {name}", perms))


def _make_role_assignments(
    spec: SiteSpec,
    rng: random.Random,
    state: SiteState,
    humans: list[User],
    owners: dict[Space, str],
) -> None:
    by_name = {r.name: r.id for r in state.roles}
    role_ids = [r.id for r in state.roles]
    groups = state.groups_by_name
    team_groups = [g.id for name, g in groups.items() if name not in _DEFAULT_GROUP_ORDER]
    people = [u.account_id for u in humans[1:]]
    target = max(2, spec.permissions_per_space // 4)

    for space in state.spaces.values():
        def assign(ptype: str, pid: str, role: str, space_id: int = space.id) -> None:
            state.set_role_assignment(space_id, ptype, pid, role)

        assign(ROLE_PRINCIPAL_USER, owners.get(space, space.author_id), by_name["Admin"])
        if space in owners:
            continue
        if "confluence-admins" in groups:
            assign(ROLE_PRINCIPAL_GROUP, groups["confluence-admins"].id, by_name["Admin"])
        if "confluence-users" in groups:
            assign(ROLE_PRINCIPAL_GROUP, groups["confluence-users"].id,
                   by_name[rng.choice(("Collaborator", "Viewer"))])
        if rng.random() < 0.3:
            assign(ROLE_PRINCIPAL_ACCESS_CLASS, "all-licensed-users", by_name["Viewer"])
        if rng.random() < 0.05:
            assign(ROLE_PRINCIPAL_ACCESS_CLASS, ANONYMOUS, by_name["Viewer"])
        for _ in range(target):
            if team_groups and rng.random() < 0.5:
                assign(ROLE_PRINCIPAL_GROUP, rng.choice(team_groups), rng.choice(role_ids))
            elif people:
                assign(ROLE_PRINCIPAL_USER, rng.choice(people), rng.choice(role_ids))
