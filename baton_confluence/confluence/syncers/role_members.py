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

from baton_confluence.confluence.sync_data import HoldersByRole
from baton_confluence.confluence.syncers.context import SyncContext


def collect(ctx: SyncContext, space_id: str, holders: Iterable[tuple[str, str, str]], *, first_page: bool) -> None:
    """Add (role id, principal type, principal id) triples of one page to the space's collection."""
    found = None if first_page else ctx.data.collecting_holders(space_id)
    collected: HoldersByRole = {} if found is None else found
    for role_id, principal_type, principal_id in holders:
        collected.setdefault(role_id, []).append((principal_type, principal_id))
    ctx.data.keep_collecting_holders(space_id, collected)


def publish(ctx: SyncContext, space_id: str, role_ids: Iterable[str]) -> None:
    """One entry per binding of the space (empty for roles nobody holds), for its grants."""
    collected = ctx.data.take_collected_holders(space_id)
    for role_id in role_ids:
        ctx.data.keep_role_holders(space_id, role_id, collected.get(role_id, []))
