"""The per-sync data and its rules (sync_data.py): shared pages freed once every named reader has
read them, a re-read never taking another reader's turn, and everything gone at cleanup."""

from __future__ import annotations

import asyncio

import pytest

from baton_confluence.confluence.cache import SyncCache
from baton_confluence.confluence.client import Account, ListingPage
from baton_confluence.confluence.connector import ConfluenceConnector
from baton_confluence.confluence.sync_data import GROUP_MEMBERS, GROUPS, SHARED_LISTINGS, Reader, SyncData
from tests.confluence.conftest import run_against
from tests.confluence.driver import all_pages, run_sync
from tests.confluence.fake_site import FakeSite


class Loads:
    def __init__(self) -> None:
        self.count = 0

    async def __call__(self) -> list[str]:
        self.count += 1
        await asyncio.sleep(0)  # let concurrent readers find the fetch in flight
        return [f"page-{self.count}"]


def read(data: SyncData, reader: Reader, loads: Loads) -> list[str]:
    return asyncio.run(data.shared_page(GROUP_MEMBERS, reader, ("g1", ""), loads))


def test_a_page_is_fetched_once_and_freed_when_every_named_reader_has_read_it() -> None:
    data, loads = SyncData(), Loads()
    assert read(data, Reader.USER_LISTING, loads) == ["page-1"]
    assert data.unread_pages() == 1 and data.cache.entries_in_memory == 1
    assert read(data, Reader.GROUP_GRANTS, loads) == ["page-1"]
    assert loads.count == 1
    assert data.unread_pages() == 0 and data.cache.entries_in_memory == 0
    assert read(data, Reader.GROUP_GRANTS, loads) == ["page-2"]  # freed: a later read fetches again


def test_a_reader_reading_a_page_again_does_not_take_the_other_readers_turn() -> None:
    """With a count of reads (the old rule), the engine retrying the user listing's page used the
    group grants' read, and the grants fetched the page a second time."""
    data, loads = SyncData(), Loads()
    read(data, Reader.USER_LISTING, loads)
    read(data, Reader.USER_LISTING, loads)
    assert read(data, Reader.GROUP_GRANTS, loads) == ["page-1"]
    assert loads.count == 1 and data.unread_pages() == 0


def test_concurrent_readers_share_one_fetch() -> None:
    data, loads = SyncData(), Loads()

    async def both() -> list[list[str]]:
        return list(
            await asyncio.gather(
                data.shared_page(GROUPS, Reader.GROUP_LISTING, ("",), loads),
                data.shared_page(GROUPS, Reader.USER_LISTING, ("",), loads),
            )
        )

    assert asyncio.run(both()) == [["page-1"], ["page-1"]]
    assert loads.count == 1 and data.unread_pages() == 0


def test_only_the_readers_named_for_a_listing_may_read_it() -> None:
    with pytest.raises(ValueError, match="not a reader of the groups listing"):
        asyncio.run(SyncData().shared_page(GROUPS, Reader.GROUP_GRANTS, ("",), Loads()))
    # every listing has two readers, the syncers that share it
    assert all(len(listing.readers) == 2 for listing in SHARED_LISTINGS)


def test_a_page_whose_other_reader_never_runs_stays_until_reset() -> None:
    data, loads = SyncData(), Loads()
    generation = data.generation
    read(data, Reader.GROUP_GRANTS, loads)  # the user listing left out of the sync
    assert data.unread_pages() == 1
    assert data.accounts.first_sighting(Account(id="a", type="", name="a", email="", active=True))
    data.reset()
    assert data.unread_pages() == 0 and data.cache.entries_in_memory == 0
    assert data.generation != generation
    assert data.accounts.first_sighting(Account(id="a", type="", name="a", email="", active=True))


@pytest.mark.parametrize("rbac", [False, True])
def test_a_whole_sync_leaves_only_pages_of_readers_it_did_not_need(site: FakeSite, rbac: bool) -> None:
    """Every group and member page is read by both its readers, so none is held to the end of the
    sync. Without --use-rbac the role catalogue is read only when a permission names a role (none
    does on this site), so the role pages wait for it until cleanup, which frees them."""

    async def scenario(connector: ConfluenceConnector) -> tuple[set[str], int]:
        await run_sync(connector, cleanup=False)
        held = connector.ctx.data.waiting().items()
        waiting = {f"{key[0]} for {' and '.join(sorted(readers))}" for key, readers in held}
        await connector.cleanup("sync-1")
        return waiting, connector.ctx.data.unread_pages()

    waiting, after_cleanup = run_against(site, scenario, use_rbac=rbac)
    assert waiting == (set() if rbac else {"space_roles for role catalogue"})
    assert after_cleanup == 0


def test_a_spilled_page_of_records_comes_back_equal() -> None:
    """Pages wait on disk between the listing and the grants when memory is short (cache.py)."""
    data = SyncData(SyncCache(memory_budget=1))
    page = ListingPage([Account(id="a", type="app", name="A", email="", active=False, username="u")], "200")

    async def load() -> ListingPage[Account]:
        return page

    async def both() -> tuple[ListingPage[Account], ListingPage[Account]]:
        first = await data.shared_page(GROUP_MEMBERS, Reader.USER_LISTING, ("g", ""), load)
        assert data.cache.spill_path is not None and data.cache.entries_in_memory == 0
        return first, await data.shared_page(GROUP_MEMBERS, Reader.GROUP_GRANTS, ("g", ""), load)

    try:
        first, second = asyncio.run(both())
        assert first == second == page and second is not page  # the second one was read back from disk
    finally:
        data.close()


def test_grants_do_not_depend_on_the_user_listing_having_run(site: FakeSite) -> None:
    """Rule 2: the listed accounts filter nothing. Group and space grants read before (or
    without) the user listing name the same principals as in a whole sync."""

    async def whole(connector: ConfluenceConnector) -> set[str]:
        return {g.id for g in (await run_sync(connector)).grants}

    async def without_users(connector: ConfluenceConnector) -> set[str]:
        syncers = {s.resource_type().id: s for s in connector.syncers()}
        grants: set[str] = set()
        for type_id in ("group", "space"):
            syncer = syncers[type_id]
            for resource in await all_pages(lambda token, s=syncer: s.list(None, token)):
                found = await all_pages(lambda token, s=syncer, r=resource: s.grants(r, token))
                grants.update(g.id for g in found)
        assert not connector.ctx.data.accounts.ids  # the user listing never ran
        return grants

    expected = run_against(site, whole)
    assert {g.split(":", 1)[0] for g in expected} >= {"group", "space"}
    assert run_against(site, without_users) == {g for g in expected if g.startswith(("group:", "space:"))}
