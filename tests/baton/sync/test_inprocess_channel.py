"""The one-shot path's in-process channel answers as the real gRPC server does (baton/sync/inprocess.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError, RateLimitInfo
from baton_confluence.baton.runner.local_sync import in_process, served
from baton_confluence.baton.server.status import rate_limit_from_trailer
from baton_confluence.baton.sync.client import ConnectorClient
from tests.baton.sync.library_connector import Faults, LibraryConnector, sample_library

Opener = Callable[[LibraryConnector], AbstractAsyncContextManager[ConnectorClient]]


class RateLimitedFaults(Faults):
    """Fails the first listing of users with a rate-limit detail, as a throttled site would."""

    def tick(self, method: str) -> None:
        if method == "users" and not self.fired:
            self.fired = True
            reset = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(seconds=5)
            raise ConnectorError(
                grpc.StatusCode.UNAVAILABLE, "throttled", rate_limit=RateLimitInfo(limit=9, remaining=0, reset_at=reset)
            )


async def _error(opener: Opener, rpc: Callable[[ConnectorClient], object]) -> grpc.aio.AioRpcError:
    async with opener(LibraryConnector(sample_library(), faults=RateLimitedFaults())) as client:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await rpc(client)  # type: ignore[misc]
    return caught.value


@pytest.mark.parametrize(
    "rpc",
    [
        lambda c: c.resources.ListResources(pb.resource.ResourcesServiceListResourcesRequest(resource_type_id="user")),
        lambda c: c.resources.ListResources(pb.resource.ResourcesServiceListResourcesRequest(resource_type_id="nope")),
    ],
    ids=["connector error with rate limit", "unknown resource type"],
)
def test_errors_reach_the_client_as_over_grpc(rpc: Callable[[ConnectorClient], object]) -> None:
    async def both() -> tuple[grpc.aio.AioRpcError, grpc.aio.AioRpcError]:
        return await _error(served, rpc), await _error(in_process, rpc)

    over_grpc, direct = asyncio.run(both())
    assert direct.code() == over_grpc.code() != grpc.StatusCode.OK
    assert direct.details() == over_grpc.details()
    limits = [rate_limit_from_trailer(e.trailing_metadata()) for e in (direct, over_grpc)]  # type: ignore[arg-type]
    assert limits[0] == limits[1]
    assert (limits[0] is not None) == (direct.code() == grpc.StatusCode.UNAVAILABLE)


def test_pages_are_the_same_objects_over_either_path() -> None:
    async def pages(opener: Opener) -> list[bytes]:
        async with opener(LibraryConnector(sample_library())) as client:
            types = await client.resource_types.ListResourceTypes(
                pb.resource.ResourceTypesServiceListResourceTypesRequest()
            )
            out = [types.SerializeToString(deterministic=True)]
            for rt in types.list:
                request = pb.resource.ResourcesServiceListResourcesRequest(resource_type_id=rt.id)
                out.append((await client.resources.ListResources(request)).SerializeToString(deterministic=True))
            return out

    async def both() -> tuple[list[bytes], list[bytes]]:
        return await pages(served), await pages(in_process)

    over_grpc, direct = asyncio.run(both())
    assert len(over_grpc) > 2 and direct == over_grpc
