"""Users: every account of the site (people, guests, apps, customers), once per sync.

Confluence Cloud has no "list all users" endpoint. The listing is the union of:

1. the user search (`cql=type=user`, guests included via `sitePermissionTypeFilter=all`), which
   stops at 10,000 results, and
2. the members of every group, which also reaches users beyond that ceiling and deactivated ones.

Speed: the engine asks for one page at a time, so a chain of sequential requests is the
bottleneck. Each `list()` call therefore does one round of concurrent requests: the next search
page (while the search lasts) alongside one member page for each of up to `concurrency` groups
in progress. Group list pages are read from the shared cache, member pages are cached for the
group grants that follow.

A user is emitted the first time this process sees it (`ListedAccounts`); its status comes from
`operations` (empty: deactivated or unlicensed -> DISABLED). Every account type is a `user`
resource, typed by the user trait (`account_kind`): an app account that administers a space is
exactly what an access review must see. Accounts no listing returns (past the search ceiling, in
no group) are fetched one by one when a grant names them (`get`, called by the sync engine).

With `--last-activity` each emitted account (listed or looked up) carries its last activity
(`last_activity.stamp_last_activity`); a page waits for its accounts' dates, which come from
their own client and governor (docs/site-and-activity.md).

Completeness notes: each search page adds its result count to `accounts.search`; reaching the
search ceiling sets `accounts.search_ceiling_reached`.

Token: JSON `{"g": cache generation, "s": search token or null when done, "t": next group-list
token or null when done, "p": [group ids of the current group page not started yet],
"q": [[group id, next member token], ...]}`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from google.protobuf import struct_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.sync.completeness import note
from baton_confluence.baton.syncer import Page, ResourceGetter, ResourceSyncer
from baton_confluence.confluence.client import ACCOUNT_TYPE_APP, ACCOUNT_TYPE_ATLASSIAN, ACCOUNT_TYPE_CUSTOMER, Account
from baton_confluence.confluence.grants import rate_limit_annotations
from baton_confluence.confluence.resource_types import USER, user_type
from baton_confluence.confluence.sync_data import Reader
from baton_confluence.confluence.syncers import tokens
from baton_confluence.confluence.syncers.context import SyncContext
from baton_confluence.confluence.syncers.last_activity import stamp_last_activity
from baton_confluence.confluence.syncers.listings import group_page, member_page

log = structlog.get_logger("baton_confluence.confluence.syncers.users")

# Module-level names: inside the syncer classes, `list` is the listing method.
Accounts = list[Account]
Annotations = list[Any]

_ENABLED = pb.resource.Status.RESOURCE_STATUS_ENABLED
_DISABLED = pb.resource.Status.RESOURCE_STATUS_DISABLED
_DELETED = pb.resource.Status.RESOURCE_STATUS_DELETED
_Kind = pb.trait.UserTrait.AccountType
_TraitStatus = pb.trait.UserTrait.Status

# Cloud accountType -> Baton account type. Customers are people (portal-only accounts); an
# account type Atlassian adds later is emitted as unspecified rather than guessed.
ACCOUNT_KINDS = {
    ACCOUNT_TYPE_ATLASSIAN: _Kind.ACCOUNT_TYPE_HUMAN,
    ACCOUNT_TYPE_CUSTOMER: _Kind.ACCOUNT_TYPE_HUMAN,
    ACCOUNT_TYPE_APP: _Kind.ACCOUNT_TYPE_SERVICE,
}


def account_kind(account_type: str) -> Any:  # a UserTrait.AccountType value
    return ACCOUNT_KINDS.get(account_type, _Kind.ACCOUNT_TYPE_UNSPECIFIED)


class UserSyncer(ResourceSyncer, ResourceGetter):
    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx

    def resource_type(self) -> pb.resource.ResourceType:
        return user_type()

    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        if parent is not None:
            return Page([])
        state = _State.load(token, self.ctx.data.generation)
        (found, annotations), members = await asyncio.gather(self._search(state), self._member_round(state))
        emitted = [u for u in [*found, *members] if self.ctx.data.accounts.first_sighting(u)]
        resources = [user_resource(u) for u in emitted]
        await stamp_last_activity(self.ctx, emitted, resources)
        if state.done:
            self._finish(state)
            return Page(resources, "", annotations)
        return Page(resources, state.dump(), annotations)

    async def get(self, resource_id: pb.resource.ResourceId) -> pb.resource.Resource:
        """One account by id, for a grant whose principal no listing returned; an account the site
        answers 404 for is emitted as deleted (its grants are real and must stay reviewable)."""
        found = await self.ctx.api.get_user(resource_id.resource)
        if found is None or found.id != resource_id.resource:
            log.info("confluence_account_gone", account_id=resource_id.resource)
            found = Account.gone_account(resource_id.resource)
        resource = user_resource(found)
        await stamp_last_activity(self.ctx, [found], [resource])
        return resource

    async def entitlements(self, resource: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]:
        return Page([])

    async def grants(self, resource: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        return Page([])

    # --- one round ------------------------------------------------------------------------
    async def _search(self, state: _State) -> tuple[Accounts, Annotations]:
        """The next search page, advancing `state.search`."""
        if state.search is None:
            return [], []
        page = await self.ctx.api.search_users(state.search, include_guests=True)
        state.search = page.next_token or None
        counts: dict[str, int] = {}
        if page.ceiling_reached:  # the client has logged it; the report counts it
            state.search = None
            counts["accounts.search_ceiling_reached"] = 1
        counts["accounts.search"] = len(page.items)
        return page.items, [*rate_limit_annotations(page.rate_limit), note(counts)]

    async def _member_round(self, state: _State) -> Accounts:
        """One member page for each of up to `concurrency` groups, advancing `state`."""
        work = list(state.in_progress)
        while len(work) < self.ctx.options.concurrency and (state.pending or state.groups is not None):
            if not state.pending:
                await self._next_group_page(state)
                continue
            work.append((state.pending.pop(0), ""))
        pages = await asyncio.gather(*(member_page(self.ctx, gid, tok, Reader.USER_LISTING) for gid, tok in work))
        state.in_progress = [
            (gid, page.next_token) for (gid, _), page in zip(work, pages, strict=True) if page.next_token
        ]
        return [user for page in pages for user in page.items]

    async def _next_group_page(self, state: _State) -> None:
        assert state.groups is not None
        page = await group_page(self.ctx, state.groups, Reader.USER_LISTING)
        state.pending = [group.id for group in page.items]
        state.groups = page.next_token or None

    def _finish(self, state: _State) -> None:
        log.info("confluence_users_listed", accounts_this_process=len(self.ctx.data.accounts.ids))


class _State:
    """Where the user listing stands; see the module docstring for the token layout."""

    def __init__(self, generation: str) -> None:
        self.generation = generation
        self.search: str | None = ""
        self.groups: str | None = ""
        self.pending: list[str] = []
        self.in_progress: list[tuple[str, str]] = []

    @classmethod
    def load(cls, token: str, generation: str) -> _State:
        state = cls(generation)
        raw = tokens.decode(token, "users")
        if not raw:
            return state
        state.generation = tokens.text_field(raw, "g")
        state.search = _optional_text(raw.get("s"))
        state.groups = _optional_text(raw.get("t"))
        state.pending = [g for g in raw.get("p") or [] if isinstance(g, str)]
        state.in_progress = [
            (item[0], item[1])
            for item in raw.get("q") or []
            if isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item)
        ]
        return state

    @property
    def done(self) -> bool:
        return self.search is None and self.groups is None and not self.pending and not self.in_progress

    def dump(self) -> str:
        return tokens.encode(
            {
                "g": self.generation,
                "s": self.search,
                "t": self.groups,
                "p": self.pending,
                "q": [list(item) for item in self.in_progress],
            }
        )


def _optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def user_resource(user: Account) -> pb.resource.Resource:
    """A user as upstream shapes it (profile keys append-only), typed by account kind; the trait
    status matches the resource status (deleted for an account the site no longer knows)."""
    username = user.username
    if user.gone:
        status, trait_status = _DELETED, _TraitStatus.STATUS_DELETED
    elif user.active:
        status, trait_status = _ENABLED, _TraitStatus.STATUS_ENABLED
    else:
        status, trait_status = _DISABLED, _TraitStatus.STATUS_DISABLED
    trait = pb.trait.UserTrait(
        account_type=account_kind(user.type),
        status=_TraitStatus(status=trait_status),
        # Cloud accounts sign in with their email (hidden emails leave the login empty); Data
        # Center users sign in with their username.
        login=username or user.email,
    )
    if user.email:
        trait.emails.append(pb.trait.UserTrait.Email(address=user.email, is_primary=True))
    profile = struct_pb2.Struct()
    # Keys and representation as upstream (append-only): email is '' when hidden.
    profile.update({"user_name": user.name, "account_type": user.type, "email": user.email, "id": user.id})
    if username:
        profile.update({"username": username})  # Data Center: the (changeable) login name
    return pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type=USER, resource=user.id),
        display_name=user.name,
        annotations=[ann.pack(trait)],
        profile=profile,
        status=pb.resource.Status(status=status),
    )
