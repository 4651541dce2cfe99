"""The live data of a simulated site: plain dataclasses plus the indexes handlers page through.

Handlers must cost O(page), not O(site), so every list an endpoint serves is kept ready-sorted
(search order, groups by name, spaces and permissions by id, role assignments by insertion) and
every write updates those indexes in place. One re-entrant lock guards reads and writes; critical
sections are short (a page slice or one mutation), JSON encoding happens outside the lock.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from confluence_simulator.content_state import ContentStore
from confluence_simulator.sorted_index import SortedIndex

# v2 space-permission principal types (the OpenAPI enum is user/group/role; real sites also show
# non-user principals such as anonymous access, see FACTS.md).
PRINCIPAL_USER = "user"
PRINCIPAL_GROUP = "group"
PRINCIPAL_ROLE = "role"
PRINCIPAL_ACCESS_CLASS = "access_class"

# v2 role-assignment principal types (OpenAPI `PrincipalType`).
ROLE_PRINCIPAL_USER = "USER"
ROLE_PRINCIPAL_GROUP = "GROUP"
ROLE_PRINCIPAL_ACCESS_CLASS = "ACCESS_CLASS"
ACCESS_CLASSES = (
    "anonymous-users",
    "authenticated-users",
    "all-licensed-users",
    "all-product-admins",
    "jsm-project-admins",
)
ANONYMOUS = "anonymous-users"

ACCOUNT_ACTIVE = "active"
ACCOUNT_INACTIVE = "inactive"
ACCOUNT_CLOSED = "closed"


@dataclass(frozen=True)
class User:
    account_id: str
    account_type: str  # atlassian | app | customer
    display_name: str
    public_name: str
    email: str  # "" when the user's privacy settings hide it
    account_status: str  # active | inactive | closed (v2 users-bulk `accountStatus`)
    external_collaborator: bool  # guest: only visible to sitePermissionTypeFilter all/externalCollaborator
    time_zone: str | None
    personal_space_id: int | None = None
    # Cloud serves email, displayName and publicName as JSON null for this account
    # (`DataVariants.null_optional_fields`); the values above stay for Data Center and the tests.
    null_profile: bool = False

    @property
    def active(self) -> bool:
        return self.account_status == ACCOUNT_ACTIVE


@dataclass
class Group:
    id: str
    name: str
    members: list[str] = field(default_factory=list)  # account ids, in the order they joined
    member_set: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Space:
    id: int
    key: str
    name: str
    type: str  # global | personal | collaboration | knowledge_base | ...
    status: str  # current | archived
    author_id: str
    created_at: str
    homepage_id: int
    hidden: bool  # the calling account cannot see it: absent from lists, 404 on direct access


@dataclass(frozen=True)
class SpacePermission:
    id: int
    space_id: int
    principal_type: str  # user | group | role | access_class
    principal_id: str
    key: str  # operation key: read, create, delete, administer, ...
    target: str  # operation targetType: space, page, blogpost, ...

    @property
    def subject(self) -> tuple[str, str]:
        return (self.principal_type, self.principal_id)


@dataclass(frozen=True)
class SpaceRole:
    id: str
    type: str  # SYSTEM | CUSTOM
    name: str
    description: str
    space_permissions: tuple[str, ...]  # ids like "read/space"


@dataclass
class RoleAssignment:
    seq: int  # insertion order, the key v2 cursors page by
    principal_type: str  # USER | GROUP | ACCESS_CLASS
    principal_id: str
    role_id: str


class PermissionTable:
    """One space's permissions, by id, plus the lookups writes need."""

    def __init__(self) -> None:
        self.by_id: SortedIndex[SpacePermission] = SortedIndex()
        self.by_grant: dict[tuple[str, str, str, str], int] = {}
        self.by_subject: dict[tuple[str, str], set[int]] = {}

    def add(self, perm: SpacePermission) -> None:
        self.by_id.put(perm.id, perm)
        self.by_grant[(perm.principal_type, perm.principal_id, perm.key, perm.target)] = perm.id
        self.by_subject.setdefault(perm.subject, set()).add(perm.id)

    def remove(self, perm_id: int) -> SpacePermission | None:
        perm = self.by_id.pop(perm_id)
        if perm is None:
            return None
        del self.by_grant[(perm.principal_type, perm.principal_id, perm.key, perm.target)]
        ids = self.by_subject[perm.subject]
        ids.discard(perm_id)
        if not ids:
            del self.by_subject[perm.subject]
        return perm


class RoleAssignmentTable:
    """One space's role assignments: at most one role per principal (POST replaces it)."""

    def __init__(self) -> None:
        self.by_seq: SortedIndex[RoleAssignment] = SortedIndex()
        self.by_principal: dict[tuple[str, str], RoleAssignment] = {}


class SiteState:
    """Everything the simulated site knows. Handlers read it; writes go through the methods."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.admin_account_id = ""
        self.users: dict[str, User] = {}
        # User search order per sitePermissionTypeFilter (none / externalCollaborator / all).
        self.search_licensed: list[str] = []
        self.search_guests: list[str] = []
        self.search_all: list[str] = []
        # Deleted accounts still named by permissions or role assignments: in no listing, and
        # unknown to the user lookup (`DataVariants.missing_principals`).
        self.deleted_accounts: list[str] = []
        self.groups: dict[str, Group] = {}
        self.groups_by_name: dict[str, Group] = {}
        self.group_order: list[str] = []  # ids, alphabetical by name (documented order)
        self.spaces: dict[int, Space] = {}
        self.spaces_by_key: dict[str, Space] = {}
        self.visible_spaces: SortedIndex[Space] = SortedIndex()
        self.permissions: dict[int, PermissionTable] = {}
        self.permission_space: dict[int, int] = {}  # permission id -> space id
        self.roles: list[SpaceRole] = []
        self.roles_by_id: dict[str, SpaceRole] = {}
        self.role_assignments: dict[int, RoleAssignmentTable] = {}
        # principal -> how many spaces give it each role; answers the space-roles principal filter
        self.principal_roles: dict[tuple[str, str], Counter[str]] = {}
        self._next_permission_id = 1
        self._next_assignment_seq = 1
        self.content = ContentStore()  # pages and blog posts with their restrictions (content_state.py)

    # --- building (generator) and reading ------------------------------------------------------

    def add_user(self, user: User, at: float | None = None) -> None:
        """Add an account to the search orders: at the end, or at the relative position `at` (0..1)
        of each order it belongs to (accounts added late need not all sit past the search cap)."""
        self.users[user.account_id] = user
        orders = [self.search_all]
        if user.account_type == "customer":
            pass  # portal-only accounts are no Confluence users; only `all` lists them
        elif user.external_collaborator:
            orders.append(self.search_guests)
        else:
            orders.append(self.search_licensed)
        for order in orders:
            order.insert(len(order) if at is None else round(at * len(order)), user.account_id)

    def add_group(self, group: Group) -> None:
        self.groups[group.id] = group
        self.groups_by_name[group.name] = group

    def finish_groups(self) -> None:
        self.group_order = [g.id for g in sorted(self.groups.values(), key=lambda g: g.name)]

    def add_space(self, space: Space) -> None:
        self.spaces[space.id] = space
        self.spaces_by_key[space.key] = space
        self.permissions[space.id] = PermissionTable()
        self.role_assignments[space.id] = RoleAssignmentTable()
        if not space.hidden:
            self.visible_spaces.put(space.id, space)

    def add_role(self, role: SpaceRole) -> None:
        self.roles.append(role)
        self.roles_by_id[role.id] = role

    def visible_space(self, space_id: int) -> Space | None:
        space = self.spaces.get(space_id)
        return None if space is None or space.hidden else space

    def visible_space_by_key(self, key: str) -> Space | None:
        space = self.spaces_by_key.get(key)
        return None if space is None or space.hidden else space

    def groups_of(self, account_id: str) -> list[str]:
        """Ids of the groups the account is in, alphabetical by group name."""
        with self.lock:
            return [g for g in self.group_order if account_id in self.groups[g].member_set]

    def group_members(self, group_id: str) -> list[str]:
        with self.lock:
            return list(self.groups[group_id].members)

    def space_permissions(self, space_id: int) -> list[SpacePermission]:
        with self.lock:
            return list(self.permissions[space_id].by_id.values())

    def space_role_assignments(self, space_id: int) -> dict[tuple[str, str], str]:
        with self.lock:
            return {k: a.role_id for k, a in self.role_assignments[space_id].by_principal.items()}

    def all_permissions(self) -> Iterator[SpacePermission]:
        """Every permission of every space (tests and benchmarks only: O(site))."""
        with self.lock:
            snapshot = [p for t in self.permissions.values() for p in t.by_id.values()]
        return iter(snapshot)

    # --- writes ------------------------------------------------------------------------------

    def add_group_member(self, group_id: str, account_id: str) -> bool:
        """Add a member; False when already a member."""
        with self.lock:
            group = self.groups[group_id]
            if account_id in group.member_set:
                return False
            group.members.append(account_id)
            group.member_set.add(account_id)
            return True

    def remove_group_member(self, group_id: str, account_id: str) -> bool:
        """Remove a member; False when not a member."""
        with self.lock:
            group = self.groups[group_id]
            if account_id not in group.member_set:
                return False
            group.member_set.discard(account_id)
            group.members.remove(account_id)
            return True

    def find_permission(
        self, space_id: int, principal_type: str, principal_id: str, key: str, target: str
    ) -> int | None:
        with self.lock:
            return self.permissions[space_id].by_grant.get((principal_type, principal_id, key, target))

    def add_space_permission(
        self, space_id: int, principal_type: str, principal_id: str, key: str, target: str
    ) -> SpacePermission:
        with self.lock:
            perm = SpacePermission(
                id=self._allocate_permission_id(),
                space_id=space_id,
                principal_type=principal_type,
                principal_id=principal_id,
                key=key,
                target=target,
            )
            self.permissions[space_id].add(perm)
            self.permission_space[perm.id] = space_id
            return perm

    def remove_space_permission(self, space_id: int, perm_id: int) -> list[SpacePermission]:
        """Remove one permission; removing read/space removes all of that subject's permissions
        in the space (documented cascade). Returns what was removed ([] if unknown)."""
        with self.lock:
            table = self.permissions[space_id]
            perm = table.by_id.get(perm_id)
            if perm is None:
                return []
            removed = []
            for pid in _cascade(table, perm):
                gone = table.remove(pid)
                if gone is not None:
                    self.permission_space.pop(pid, None)
                    removed.append(gone)
            return removed

    def would_remove(self, space_id: int, perm_id: int) -> list[SpacePermission]:
        """What `remove_space_permission` would remove, without removing it."""
        with self.lock:
            table = self.permissions[space_id]
            perm = table.by_id.get(perm_id)
            if perm is None:
                return []
            return [p for i in _cascade(table, perm) if (p := table.by_id.get(i))]

    def admin_permission_count(self, space_id: int) -> int:
        with self.lock:
            table = self.permissions[space_id]
            return sum(
                1 for (_t, _i, key, target) in table.by_grant if key == "administer" and target == "space"
            )

    def set_role_assignment(
        self, space_id: int, principal_type: str, principal_id: str, role_id: str | None
    ) -> RoleAssignment | None:
        """Assign (or with None, unassign) a principal's role in a space."""
        with self.lock:
            table = self.role_assignments[space_id]
            principal = (principal_type, principal_id)
            current = table.by_principal.get(principal)
            if current is not None:
                self._count_role(principal, current.role_id, -1)
            if role_id is None:
                if current is not None:
                    del table.by_principal[principal]
                    table.by_seq.pop(current.seq)
                return None
            if current is None:
                current = RoleAssignment(self._next_assignment_seq, principal_type, principal_id, role_id)
                self._next_assignment_seq += 1
                table.by_principal[principal] = current
                table.by_seq.put(current.seq, current)
            else:
                current.role_id = role_id
            self._count_role(principal, role_id, +1)
            return current

    # --- internals ---------------------------------------------------------------------------

    def _allocate_permission_id(self) -> int:
        # Real permission ids are large, sparse numbers; a stride keeps them looking that way.
        value = 1_000_000 + self._next_permission_id * 7
        self._next_permission_id += 1
        return value

    def _count_role(self, principal: tuple[str, str], role_id: str, delta: int) -> None:
        counts = self.principal_roles.setdefault(principal, Counter())
        counts[role_id] += delta
        if counts[role_id] <= 0:
            del counts[role_id]
        if not counts:
            del self.principal_roles[principal]


def _cascade(table: PermissionTable, perm: SpacePermission) -> list[int]:
    """Ids that removing `perm` removes: read/space takes every permission of its subject."""
    if perm.key == "read" and perm.target == "space":
        return sorted(table.by_subject.get(perm.subject, set()))
    return [perm.id]
