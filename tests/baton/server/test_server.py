"""The gRPC server's contract, checked through a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest

from baton_confluence.baton import pb
from baton_confluence.baton.runner.local_sync import served
from baton_confluence.baton.sync.client import ConnectorClient
from baton_confluence.baton.syncer import Page
from tests.baton.sync.library_connector import LibraryConnector, Teams, sample_library


def with_client(connector: LibraryConnector, body: Callable[[ConnectorClient], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        async with served(connector) as client:
            return await body(client)

    return asyncio.run(run())


def rpc_error(connector: LibraryConnector, body: Callable[[ConnectorClient], Awaitable[Any]]) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        with_client(connector, body)
    return caught.value


def test_unknown_resource_type_is_not_found() -> None:
    request = pb.resource.ResourcesServiceListResourcesRequest(resource_type_id="spaceship")
    err = rpc_error(LibraryConnector(sample_library()), lambda c: c.resources.ListResources(request))
    assert err.code() == grpc.StatusCode.NOT_FOUND and "spaceship" in (err.details() or "")


def test_a_page_token_that_does_not_change_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    async def stuck(self: Teams, parent: object, token: str) -> Page[pb.resource.Resource]:
        return Page([], token or "again")

    monkeypatch.setattr(Teams, "list", stuck)
    request = pb.resource.ResourcesServiceListResourcesRequest(resource_type_id="team", page_token="again")
    err = rpc_error(LibraryConnector(sample_library()), lambda c: c.resources.ListResources(request))
    assert err.code() == grpc.StatusCode.INTERNAL and "connector bug" in (err.details() or "")


def test_static_entitlements_are_empty_where_a_type_has_none() -> None:
    def ask(type_id: str) -> Callable[[ConnectorClient], Awaitable[Any]]:
        request = pb.entitlement.EntitlementsServiceListStaticEntitlementsRequest(resource_type_id=type_id)
        return lambda c: c.entitlements.ListStaticEntitlements(request)

    assert list(with_client(LibraryConnector(sample_library()), ask("team")).list) == []
    books = with_client(LibraryConnector(sample_library()), ask("book")).list
    assert [e.slug for e in books] == ["reader"]


def test_capabilities_follow_what_syncers_implement() -> None:
    request = pb.connector.ConnectorServiceGetMetadataRequest()
    metadata = with_client(LibraryConnector(sample_library()), lambda c: c.connector.GetMetadata(request)).metadata
    caps = metadata.capabilities
    assert [e.resource_type.id for e in caps.resource_type_capabilities] == [
        "book",
        "document",
        "shelf",
        "team",
        "user",
    ]
    sync_only = [pb.connector.Capability.CAPABILITY_SYNC]
    assert all(list(e.capabilities) == sync_only for e in caps.resource_type_capabilities)
    assert list(caps.connector_capabilities) == sync_only


def test_provisioning_is_refused_unless_enabled() -> None:
    request = pb.grant.GrantManagerServiceGrantRequest()
    request.entitlement.resource.id.resource_type = "team"
    err = rpc_error(LibraryConnector(sample_library()), lambda c: c.grant_manager.Grant(request))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_validate_reports_the_runtime_version() -> None:
    request = pb.connector.ConnectorServiceValidateRequest()
    response = with_client(LibraryConnector(sample_library()), lambda c: c.connector.Validate(request))
    assert response.sdk_version
