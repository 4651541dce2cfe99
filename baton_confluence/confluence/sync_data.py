"""`SyncData`: what the connector learns during one sync, with one owner and written rules.

The syncers share some listings and lookups within a sync; all of it lives here, and
`Connector.cleanup` (`reset`) drops it at the end of each sync. The rules:

1. **Shared listings are read by named readers.** Group list pages, group member pages and
   space-role pages are each read by two syncers (`SHARED_LISTINGS` says which). The first reader
   fetches a page (concurrent readers share the fetch); the page is freed once every reader named
   for its listing has read it. A reader that reads the same page again (the engine retries a
   page, or resumes a listing) is served from memory while another reader has yet to read it,
   and never takes that reader's turn. A reader this sync never runs (a resource type left out of
   `--sync-resource-types`) leaves its pages in place until the sync ends; memory stays bounded
   because the cache spills to disk (cache.py).
2. **Listed accounts** (`accounts`): the ids the user listing has emitted in this process, so each
   account is emitted once. It never filters anything else: grants name every principal, and the
   sync engine looks up the principals no listing returned.
3. **Lookups** (space names for role bindings, collected role holders, the role catalogue, space
   keys and restriction lists for restricted content) are
   kept in the cache under their own keys until read or until the sync ends. Each key is written
   and read only by this class's typed accessors, so what a key holds is known, never checked.
4. **Nothing here changes what a sync produces.** Page tokens carry only plain data plus the
   `generation` of this object; a sync resumed by another process (empty data, a new generation)
   re-fetches what it needs and emits the same resources and grants, at the cost of some requests
   (tests/e2e kill -9 resume test).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar, cast

from baton_confluence.confluence.cache import CacheStats, Key, SyncCache
from baton_confluence.confluence.client import Account, RestrictionList, SpaceRole

T = TypeVar("T")

# One holder of a space role: (principal type as the API spells it, USER/GROUP; principal id).
RoleHolder = tuple[str, str]
# A space's holders collected so far, by role id.
HoldersByRole = dict[str, list[RoleHolder]]
# A restricted item's read and update restriction lists, as its listing page showed them.
RestrictionLists = tuple[RestrictionList, RestrictionList]


class Reader(StrEnum):
    """Who reads a shared listing."""

    USER_LISTING = "user listing"  # walks every group's members for accounts
    GROUP_LISTING = "group listing"
    GROUP_GRANTS = "group grants"  # a group's members become its member grants
    ROLE_LISTING = "space-role listing"
    ROLE_CATALOG = "role catalogue"  # names role bindings and tells role principals apart


@dataclass(frozen=True)
class SharedListing:
    name: str
    readers: frozenset[Reader]


GROUPS = SharedListing("groups", frozenset({Reader.GROUP_LISTING, Reader.USER_LISTING}))
GROUP_MEMBERS = SharedListing("group_members", frozenset({Reader.USER_LISTING, Reader.GROUP_GRANTS}))
SPACE_ROLES = SharedListing("space_roles", frozenset({Reader.ROLE_LISTING, Reader.ROLE_CATALOG}))
SHARED_LISTINGS = (GROUPS, GROUP_MEMBERS, SPACE_ROLES)


class ListedAccounts:
    """The account ids the user listing emitted in this process (rule 2). Search and every
    group's member pages return the same accounts many times over; emitting each once keeps the
    pages small. After a restart (an empty set) an account emitted again is written with the same
    content: the store upserts resources by id, and a user resource is a function of the account."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def first_sighting(self, user: Account) -> bool:
        """Record a listed account; True when this process has not emitted it before."""
        if user.id in self.ids:
            return False
        self.ids.add(user.id)
        return True

    def clear(self) -> None:
        self.ids.clear()


class SyncData:
    def __init__(self, cache: SyncCache | None = None) -> None:
        self.cache = cache or SyncCache()
        self.accounts = ListedAccounts()
        self._unread: dict[Key, set[Reader]] = {}  # shared pages fetched, and who has yet to read them

    @property
    def generation(self) -> str:
        """Tells a page token whether the data it relies on was built in this object (rule 4)."""
        return self.cache.generation

    @property
    def stats(self) -> CacheStats:
        return self.cache.stats

    async def shared_page(
        self, listing: SharedListing, reader: Reader, page: Key, load: Callable[[], Awaitable[T]]
    ) -> T:
        """One page of a shared listing for `reader`, fetched at most once while it has readers
        left (rule 1). `page` names the page within the listing (group id, token...)."""
        if reader not in listing.readers:
            raise ValueError(f"{reader} is not a reader of the {listing.name} listing")
        key: Key = (listing.name, *page)
        value = await self.cache.fetch(key, load)
        unread = self._unread.setdefault(key, set(listing.readers))
        unread.discard(reader)
        if not unread:
            del self._unread[key]
            self.cache.delete(key)
        return value

    # --- lookups (rule 3): each key's type is fixed here --------------------------------------
    async def role_catalog(self, load: Callable[[], Awaitable[list[SpaceRole]]]) -> list[SpaceRole]:
        """The site's space roles, loaded once per sync and kept until it ends."""
        return await self.cache.fetch(("role_catalog",), load)

    def keep_space_name(self, space_id: str, name: str) -> None:
        """A listed space's name, kept until its role bindings read it (once)."""
        self.cache.put(("space_name", space_id), name)

    def take_space_name(self, space_id: str) -> str | None:
        found = self.cache.take(("space_name", space_id))
        return None if found is None else cast(str, found[0])

    def forget_space_name(self, space_id: str) -> None:
        self.cache.delete(("space_name", space_id))

    def collecting_holders(self, space_id: str) -> HoldersByRole | None:
        """The role holders collected so far from a space's assignment pages (None: none yet)."""
        found = self.cache.get(("role_holders_partial", space_id))
        return None if found is None else cast(HoldersByRole, found[0])

    def keep_collecting_holders(self, space_id: str, collected: HoldersByRole) -> None:
        self.cache.put(("role_holders_partial", space_id), collected)

    def take_collected_holders(self, space_id: str) -> HoldersByRole:
        """Everything collected for the space (empty when nothing was), and the collection freed."""
        found = self.cache.take(("role_holders_partial", space_id))
        return {} if found is None else cast(HoldersByRole, found[0])

    def keep_role_holders(self, space_id: str, role_id: str, holders: list[RoleHolder]) -> None:
        """One binding's holders, published for its grants."""
        self.cache.put(("role_holders", space_id, role_id), holders)

    def role_holders(self, space_id: str, role_id: str) -> list[RoleHolder] | None:
        """A binding's published holders, or None when this data has none (after a restart)."""
        found = self.cache.get(("role_holders", space_id, role_id))
        return None if found is None else cast(list[RoleHolder], found[0])

    def forget_role_holders(self, space_id: str, role_id: str) -> None:
        self.cache.delete(("role_holders", space_id, role_id))

    def keep_space_key(self, space_id: str, key: str) -> None:
        """A space's key, kept until cleanup: every page of both content listings of the space needs it."""
        self.cache.put(("space_key", space_id), key)

    def space_key(self, space_id: str) -> str | None:
        found = self.cache.get(("space_key", space_id))
        return None if found is None else cast(str, found[0])

    def keep_restrictions(self, content_id: str, lists: RestrictionLists) -> None:
        """A restricted item's lists, read once by its grants (spilled to disk when memory is short)."""
        self.cache.put(("content_restrictions", content_id), lists)

    def take_restrictions(self, content_id: str) -> RestrictionLists | None:
        found = self.cache.take(("content_restrictions", content_id))
        return None if found is None else cast(RestrictionLists, found[0])

    def unread_pages(self) -> int:
        """How many shared pages still wait for a reader (0 once every reader has run)."""
        return len(self._unread)

    def waiting(self) -> dict[Key, frozenset[Reader]]:
        """Each shared page still held, and the readers it waits for."""
        return {key: frozenset(readers) for key, readers in self._unread.items()}

    def reset(self) -> None:
        """Forget everything learnt during the sync (from `Connector.cleanup`); new generation."""
        self.cache.clear()
        self.accounts.clear()
        self._unread.clear()

    def close(self) -> None:
        self.reset()
