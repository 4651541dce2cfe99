"""The user listing: union of search and group members, once each, with status and email."""

from __future__ import annotations

from typing import Any

import pytest
from structlog.testing import LogCapture

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.confluence.client import api as api_module
from baton_confluence.confluence.connector import ConfluenceConnector
from baton_confluence.confluence.syncers.users import UserSyncer
from tests.confluence.conftest import run_against, standard_site
from tests.confluence.driver import all_pages
from tests.confluence.fake_site import FakeSite, user

Users = list[pb.resource.Resource]


def list_users(site: FakeSite, **options: Any) -> Users:
    async def scenario(connector: ConfluenceConnector) -> Users:
        syncer = connector.syncers()[0]
        assert isinstance(syncer, UserSyncer)
        return await all_pages(lambda token: syncer.list(None, token))

    return run_against(site, scenario, **options)


def by_id(resources: Users) -> dict[str, pb.resource.Resource]:
    return {r.id.resource: r for r in resources}


def test_user_in_search_and_three_groups_is_emitted_once(site: FakeSite) -> None:
    found = list_users(site)
    ids = [r.id.resource for r in found]
    assert sorted(ids) == ["alice", "bob", "carol", "dave"]  # alice: search + g1, g2, g3
    assert len(ids) == len(set(ids))


def test_app_accounts_are_not_users(site: FakeSite) -> None:
    assert "bot" not in by_id(list_users(site))


def test_users_beyond_search_come_from_groups(site: FakeSite) -> None:
    assert "dave" in by_id(list_users(site))


def test_status_follows_operations() -> None:
    users = by_id(list_users(standard_site()))
    enabled, disabled = pb.resource.Status.RESOURCE_STATUS_ENABLED, pb.resource.Status.RESOURCE_STATUS_DISABLED
    assert users["alice"].status.status == enabled
    assert users["carol"].status.status == disabled
    trait = ann.find(users["carol"].annotations, pb.trait.UserTrait)
    assert trait is not None and trait.status.status == pb.trait.UserTrait.Status.STATUS_DISABLED


def test_email_and_login_omitted_when_hidden(site: FakeSite) -> None:
    users = by_id(list_users(site))
    bob = ann.find(users["bob"].annotations, pb.trait.UserTrait)
    assert bob is not None and list(bob.emails) == [] and bob.login == ""
    alice = ann.find(users["alice"].annotations, pb.trait.UserTrait)
    assert alice is not None
    assert [(e.address, e.is_primary) for e in alice.emails] == [("alice@example.com", True)]
    assert alice.account_type == pb.trait.UserTrait.AccountType.ACCOUNT_TYPE_HUMAN


def test_profile_keys_match_upstream(site: FakeSite) -> None:
    bob = by_id(list_users(site))["bob"]
    assert dict(bob.profile) == {"user_name": "Bob", "account_type": "atlassian", "email": "", "id": "bob"}
    assert bob.display_name == "Bob"


@pytest.mark.parametrize("page_size", [1, 3, 50])
def test_same_users_whatever_the_page_size(page_size: int) -> None:
    assert sorted(by_id(list_users(standard_site(page_size)))) == ["alice", "bob", "carol", "dave"]


def test_each_call_fans_out_over_groups() -> None:
    """With concurrency 3 and one page per group, one call covers all three groups."""
    site = standard_site(page_size=10)

    async def scenario(connector: ConfluenceConnector) -> int:
        syncer = connector.syncers()[0]
        calls = 0
        token = ""
        while True:
            page = await syncer.list(None, token)
            calls += 1
            if not page.next_token:
                return calls
            token = page.next_token

    assert run_against(site, scenario, concurrency=3) == 1


def test_listing_resumes_from_a_token_in_a_new_process() -> None:
    site = standard_site(page_size=1)

    async def first(connector: ConfluenceConnector) -> tuple[Users, str]:
        page = await connector.syncers()[0].list(None, "")
        return page.items, page.next_token

    seen, token = run_against(site, first, concurrency=1)

    async def rest(connector: ConfluenceConnector) -> Users:
        syncer = connector.syncers()[0]
        found = await all_pages(lambda t: syncer.list(None, t or token))
        assert not connector.ctx.accounts.complete  # another process started the listing
        return found

    later = run_against(site, rest, concurrency=1)
    assert {r.id.resource for r in seen} | {r.id.resource for r in later} == {"alice", "bob", "carol", "dave"}


def test_search_ceiling_logs_a_warning(monkeypatch: pytest.MonkeyPatch, logs: LogCapture) -> None:
    # The client owns the ceiling (the syncer only reacts to `ceiling_reached`).
    monkeypatch.setattr(api_module, "USER_SEARCH_CEILING", 2)
    site = FakeSite(page_size=2, search=[user(f"u{i}") for i in range(5)])
    found = list_users(site)
    assert sorted(by_id(found)) == ["u0", "u1"]  # the rest would need groups
    assert any(e["event"] == "confluence_user_search_ceiling_reached" for e in logs.entries)
    assert sum(e["event"] == "confluence_user_search_ceiling" for e in logs.entries) == 1
    assert not any("start=2" in url or "start=4" in url for url in site.calls)
