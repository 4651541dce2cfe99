"""The user listing: every account of search and group members, once each, typed by account kind,
with status, email and completeness notes; accounts looked up by id."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from structlog.testing import LogCapture

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.sync.completeness import read_notes
from baton_confluence.confluence.client import api as api_module
from baton_confluence.confluence.connector import ConfluenceConnector
from baton_confluence.confluence.syncers.users import UserSyncer
from tests.confluence.conftest import get_by_id, run_against, standard_site
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


def every_listed_account(site: FakeSite) -> set[str]:
    """The account ids search or any group returns, straight from the fake site's data."""
    return {u["accountId"] for u in site.search} | {u["accountId"] for ms in site.members.values() for u in ms}


def test_user_in_search_and_three_groups_is_emitted_once(site: FakeSite) -> None:
    found = list_users(site)
    ids = [r.id.resource for r in found]
    assert sorted(ids) == sorted(every_listed_account(site))  # alice: search + g1, g2, g3
    assert len(ids) == len(set(ids))
    assert "bot" in ids  # in search and in g1: once too


def account_type_of(resource: pb.resource.Resource) -> Any:
    trait = ann.find(resource.annotations, pb.trait.UserTrait)
    assert trait is not None
    return trait.account_type


def test_app_accounts_are_service_users(site: FakeSite) -> None:
    bot = by_id(list_users(site))["bot"]
    assert account_type_of(bot) == pb.trait.UserTrait.AccountType.ACCOUNT_TYPE_SERVICE
    assert bot.profile["account_type"] == "app"
    assert bot.status.status == pb.resource.Status.RESOURCE_STATUS_ENABLED


def test_every_account_type_is_a_user_typed_by_kind() -> None:
    kinds = {"person": "atlassian", "portal": "customer", "robot": "app", "newcomer": "some-future-type", "bare": ""}
    site = FakeSite(page_size=2, search=[user(account_id, kind=kind) for account_id, kind in kinds.items()])
    types = {account_id: account_type_of(r) for account_id, r in by_id(list_users(site)).items()}
    kind = pb.trait.UserTrait.AccountType
    assert types == {
        "person": kind.ACCOUNT_TYPE_HUMAN,
        "portal": kind.ACCOUNT_TYPE_HUMAN,  # service-desk customers are people
        "robot": kind.ACCOUNT_TYPE_SERVICE,
        "newcomer": kind.ACCOUNT_TYPE_UNSPECIFIED,  # not guessed
        "bare": kind.ACCOUNT_TYPE_UNSPECIFIED,
    }


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
    site = standard_site(page_size)
    found = [r.id.resource for r in list_users(site)]
    assert sorted(found) == sorted(every_listed_account(site)) and len(found) == len(set(found))


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

    first_calls = set(site.calls)

    async def rest(connector: ConfluenceConnector) -> Users:
        syncer = connector.syncers()[0]
        return await all_pages(lambda t: syncer.list(None, t or token))

    later = run_against(site, rest, concurrency=1)
    assert {r.id.resource for r in seen} | {r.id.resource for r in later} == every_listed_account(site)
    # The new process carried on where the token says: nothing the first one read is read again.
    assert not first_calls & {url for url, n in site.calls.items() if n > 1}


def test_search_ceiling_logs_a_warning(monkeypatch: pytest.MonkeyPatch, logs: LogCapture) -> None:
    # The client owns the ceiling (the syncer only reacts to `ceiling_reached`).
    monkeypatch.setattr(api_module, "USER_SEARCH_CEILING", 2)
    site = FakeSite(page_size=2, search=[user(f"u{i}") for i in range(5)])
    found = list_users(site)
    assert sorted(by_id(found)) == ["u0", "u1"]  # the rest would need groups
    # one warning, and it says where the accounts past the ceiling come from
    warnings = [e for e in logs.entries if e["event"] == "confluence_user_search_ceiling"]
    assert len(warnings) == 1
    assert "group memberships" in warnings[0]["detail"]
    assert not any("start=2" in url or "start=4" in url for url in site.calls)


def search_notes(site: FakeSite, **options: Any) -> Counter[str]:
    """The completeness counters of every page of the user listing."""

    async def scenario(connector: ConfluenceConnector) -> Counter[str]:
        syncer = connector.syncers()[0]
        counts: Counter[str] = Counter()
        token = ""
        while True:
            page = await syncer.list(None, token)
            counts += read_notes(page.annotations)
            if not page.next_token:
                return counts
            token = page.next_token

    return run_against(site, scenario, **options)


@pytest.mark.parametrize("page_size", [1, 3, 50])
def test_search_note_counts_every_search_result(page_size: int) -> None:
    site = standard_site(page_size)
    assert search_notes(site) == Counter({"accounts.search": len(site.search)})


def test_search_ceiling_sets_its_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_module, "USER_SEARCH_CEILING", 2)
    site = FakeSite(page_size=2, search=[user(f"u{i}") for i in range(5)])
    # The search stops after its first page (2 results): the next page would start at the ceiling.
    assert search_notes(site) == Counter({"accounts.search": 2, "accounts.search_ceiling_reached": 1})


def get_user(site: FakeSite, account_id: str) -> pb.resource.Resource:
    return get_by_id(site, "user", account_id)


def test_get_user_no_listing_returns(site: FakeSite) -> None:
    """An account past the search ceiling and in no group, named by a grant, is fetched by id."""
    site.unlisted.append(user("erin", email="erin@example.com", kind="app"))
    erin = get_user(site, "erin")
    assert erin.id.resource_type == "user" and erin.id.resource == "erin"
    assert erin.display_name == "Erin"
    assert erin.status.status == pb.resource.Status.RESOURCE_STATUS_ENABLED
    trait = ann.find(erin.annotations, pb.trait.UserTrait)
    assert trait is not None
    assert trait.account_type == pb.trait.UserTrait.AccountType.ACCOUNT_TYPE_SERVICE
    assert trait.status.status == pb.trait.UserTrait.Status.STATUS_ENABLED
    assert [e.address for e in trait.emails] == ["erin@example.com"]
    assert any(url.startswith("/wiki/rest/api/user?") and "accountId=erin" in url for url in site.calls)


def test_get_user_matches_the_listed_resource(site: FakeSite) -> None:
    """A looked-up account is the same resource its listing would have emitted."""
    carol = get_user(site, "carol")
    assert carol == by_id(list_users(site))["carol"]


def test_get_user_the_site_does_not_know_is_deleted(site: FakeSite) -> None:
    """404 on lookup: the account was deleted since; its grants stay, on a deleted user."""
    gone = get_user(site, "ghost")
    assert gone.id.resource_type == "user" and gone.id.resource == "ghost"
    assert gone.status.status == pb.resource.Status.RESOURCE_STATUS_DELETED
    trait = ann.find(gone.annotations, pb.trait.UserTrait)
    assert trait is not None and trait.status.status == pb.trait.UserTrait.Status.STATUS_DELETED
