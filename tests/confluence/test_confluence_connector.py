"""The connector object: metadata, validation, syncer order, and traffic over a whole sync."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.connector import ConfluenceConnector
from tests.confluence.conftest import options, run_against, standard_site
from tests.confluence.driver import SyncOutput, run_sync
from tests.confluence.fake_site import FakeSite


def sync(site: FakeSite, **overrides: Any) -> SyncOutput:
    async def scenario(connector: ConfluenceConnector) -> SyncOutput:
        return await run_sync(connector)

    return run_against(site, scenario, **overrides)


def validate(site: FakeSite, **overrides: Any) -> list[Any]:
    async def scenario(connector: ConfluenceConnector) -> list[Any]:
        return await connector.validate()

    return run_against(site, scenario, **overrides)


def test_metadata(site: FakeSite) -> None:
    async def scenario(connector: ConfluenceConnector) -> pb.connector.ConnectorMetadata:
        return connector.metadata()

    metadata = run_against(site, scenario)
    assert metadata.display_name == "Confluence"
    assert metadata.description
    link = ann.find(metadata.annotations, pb.external_link.ExternalLink)
    assert link is not None and link.url == "https://example.atlassian.net"


def test_api_key_not_in_repr() -> None:
    assert "secret-token" not in repr(options())


def test_validate_ok(site: FakeSite) -> None:
    assert validate(site) == []
    assert validate(site, use_rbac=True) == []


def test_validate_bad_credentials(site: FakeSite) -> None:
    site.current_user_status = 401
    with pytest.raises(ConnectorError) as caught:
        validate(site)
    err = caught.value
    assert err.code == grpc.StatusCode.UNAUTHENTICATED
    assert "--api-key" in err.message and "\n" not in err.message
    assert err.message.startswith("baton-confluence: validate: cannot sign in")


def test_validate_anonymous_answer(site: FakeSite) -> None:
    site.current_user = {"type": "anonymous"}
    with pytest.raises(ConnectorError) as caught:
        validate(site)
    assert caught.value.code == grpc.StatusCode.UNAUTHENTICATED


def test_validate_rbac_pre_roles(site: FakeSite) -> None:
    site.role_mode = "PRE_ROLES"
    with pytest.raises(ConnectorError) as caught:
        validate(site, use_rbac=True)
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "PRE_ROLES" in caught.value.message and "--use-rbac" in caught.value.message


@pytest.mark.parametrize("broken", ["role_mode", "roles"])
def test_validate_rbac_unavailable(site: FakeSite, broken: str) -> None:
    setattr(site, broken, None)
    with pytest.raises(ConnectorError) as caught:
        validate(site, use_rbac=True)
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "RBAC is not available on this site" in caught.value.message


@pytest.mark.parametrize("rbac", [False, True])
@pytest.mark.parametrize("page_size", [1, 2])
def test_no_url_fetched_twice_in_a_sync(rbac: bool, page_size: int) -> None:
    site = standard_site(page_size)
    sync(site, use_rbac=rbac, dense_role_bindings=rbac)
    assert site.calls and site.repeated() == {}


def test_page_size_one_gives_the_same_sync_as_one_page() -> None:
    def summary(output: SyncOutput) -> tuple[Any, ...]:
        return (
            sorted((r.id.resource_type, r.id.resource) for r in output.in_order),
            sorted(output.entitlement_ids()),
            sorted(output.grant_ids()),
        )

    for rbac in (False, True):
        small = sync(standard_site(1), use_rbac=rbac)
        large = sync(standard_site(100), use_rbac=rbac)
        assert summary(small) == summary(large)
        assert len(set(small.grant_ids())) == len(small.grant_ids())
        assert small.pages > large.pages


def test_cleanup_empties_the_cache(site: FakeSite) -> None:
    async def scenario(connector: ConfluenceConnector) -> tuple[str, str, int]:
        before = connector.ctx.data.generation
        await run_sync(connector, cleanup=False)
        await connector.cleanup("sync-1")
        return before, connector.ctx.data.generation, connector.ctx.data.cache.entries_in_memory

    before, after, entries = run_against(site, scenario)
    assert before != after and entries == 0


def test_second_sync_in_the_same_process_refetches(site: FakeSite) -> None:
    async def scenario(connector: ConfluenceConnector) -> tuple[SyncOutput, SyncOutput]:
        return await run_sync(connector), await run_sync(connector)

    first, second = run_against(site, scenario)
    assert sorted(first.grant_ids()) == sorted(second.grant_ids())
    assert max(site.calls.values()) == 2
