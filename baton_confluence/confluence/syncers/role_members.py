"""Who holds each role in a space, collected while listing a space's role bindings.

The binding listing pages through all of a space's role assignments anyway (it must, to know
which roles are held); the grants of each binding then need exactly those assignments, filtered
by role. Upstream fetched them a second time per role. Here the listing collects them per role
into the cache (`collect`), and when it has seen the last page it publishes one entry per
(space, role) binding (`publish`), which that binding's grants read once. Bindings are emitted
only after the last page, so their grants never see a partial entry.

Collected state lives only in memory: a listing resumed in another process (another cache
generation) publishes nothing, and the grants fall back to the API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from baton_confluence.confluence.cache import MISSING
from baton_confluence.confluence.syncers.context import SyncContext

# One holder: [principal type as the API spells it (USER/GROUP), principal id].
Holder = list[str]


def collect(ctx: SyncContext, space_id: str, holders: Iterable[tuple[str, str, str]], *, first_page: bool) -> None:
    """Add (role id, principal type, principal id) triples of one page to the space's collection."""
    key = ("role_holders_partial", space_id)
    found = MISSING if first_page else ctx.data.cache.peek(key)
    collected: dict[str, list[Holder]] = found if isinstance(found, dict) else {}
    for role_id, principal_type, principal_id in holders:
        collected.setdefault(role_id, []).append([principal_type, principal_id])
    ctx.data.cache.put(key, collected, uses=None)


def publish(ctx: SyncContext, space_id: str, role_ids: Iterable[str]) -> None:
    """One entry per binding of the space (empty for roles nobody holds), for its grants."""
    found = ctx.data.cache.peek(("role_holders_partial", space_id))
    ctx.data.cache.delete(("role_holders_partial", space_id))
    collected: dict[str, Any] = found if isinstance(found, dict) else {}
    for role_id in role_ids:
        ctx.data.cache.put(("role_holders", space_id, role_id), collected.get(role_id, []), uses=None)


def holders(ctx: SyncContext, space_id: str, role_id: str) -> list[Holder] | None:
    """The binding's holders as published, or None when this cache has none (after a restart)."""
    found = ctx.data.cache.peek(("role_holders", space_id, role_id))
    return found if isinstance(found, list) else None


def forget(ctx: SyncContext, space_id: str, role_id: str) -> None:
    """The binding's grants have all been served: free the entry."""
    ctx.data.cache.delete(("role_holders", space_id, role_id))
