"""A fake ConductorOne BatonService: a real grpc.aio server with TLS that records what it is told.

Every RPC must carry a bearer token the fake token endpoint issued. Tasks are handed out from
a queue; heartbeats can be told to cancel a task; uploads are checked for message order.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import grpc

from baton_confluence.baton import pb

B = pb.baton


@dataclass
class Upload:
    metadata: B.BatonServiceUploadAssetRequest.UploadMetadata
    data: bytes
    checksum: bytes

    @property
    def checksum_ok(self) -> bool:
        return hashlib.sha256(self.data).digest() == self.checksum


@dataclass
class Recorded:
    hellos: list[B.BatonServiceHelloRequest] = field(default_factory=list)
    polls: int = 0
    heartbeats: collections.Counter[str] = field(default_factory=collections.Counter)
    finished: dict[str, B.BatonServiceFinishTaskRequest] = field(default_factory=dict)  # the last per task
    finish_calls: list[B.BatonServiceFinishTaskRequest] = field(default_factory=list)  # every one, in order
    uploads: dict[str, Upload] = field(default_factory=dict)
    upload_chunks: list[int] = field(default_factory=list)
    metadata: list[dict[str, str]] = field(default_factory=list)
    unauthenticated: int = 0
    # RPC name -> seconds left before the caller's deadline on each call (None: no deadline)
    deadlines: collections.defaultdict[str, list[float | None]] = field(
        default_factory=lambda: collections.defaultdict(list)
    )


class FakeBatonService(pb.baton_grpc.BatonServiceServicer):
    def __init__(self, issued_tokens: set[str]) -> None:
        self.issued_tokens = issued_tokens
        self.queue: collections.deque[B.Task] = collections.deque()
        self.seen = Recorded()
        self.next_poll = timedelta(milliseconds=50)
        self.next_heartbeat = timedelta(milliseconds=100)
        self.cancel_after: dict[str, int] = {}  # task id -> cancel on this heartbeat count
        self.fail_heartbeats_from: dict[str, int] = {}  # task id -> fail from this heartbeat count on
        self.hello_errors: list[grpc.StatusCode] = []  # answered to the next Hellos, in order

    async def _auth(self, context: grpc.aio.ServicerContext[Any, Any], rpc: str) -> None:
        self.seen.deadlines[rpc].append(context.time_remaining())
        metadata = {k: v for k, v in context.invocation_metadata() or () if isinstance(v, str)}
        self.seen.metadata.append(metadata)
        scheme, _, token = metadata.get("authorization", "").partition(" ")
        if scheme != "Bearer" or token not in self.issued_tokens:
            self.seen.unauthenticated += 1
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "invalid bearer token")

    async def Hello(self, request: Any, context: Any) -> B.BatonServiceHelloResponse:
        await self._auth(context, "Hello")
        if self.hello_errors:
            await context.abort(self.hello_errors.pop(0), "hello refused by the test")
        self.seen.hellos.append(request)
        return B.BatonServiceHelloResponse()

    async def GetTask(self, request: Any, context: Any) -> B.BatonServiceGetTaskResponse:
        await self._auth(context, "GetTask")
        self.seen.polls += 1
        resp = B.BatonServiceGetTaskResponse(next_poll=self.next_poll, next_heartbeat=self.next_heartbeat)
        if self.queue:
            resp.task.CopyFrom(self.queue.popleft())
        return resp

    async def Heartbeat(self, request: Any, context: Any) -> B.BatonServiceHeartbeatResponse:
        await self._auth(context, "Heartbeat")
        self.seen.heartbeats[request.task_id] += 1
        failing = self.fail_heartbeats_from.get(request.task_id)
        if failing is not None and self.seen.heartbeats[request.task_id] >= failing:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "heartbeat store is down")
        limit = self.cancel_after.get(request.task_id)
        cancelled = limit is not None and self.seen.heartbeats[request.task_id] >= limit
        return B.BatonServiceHeartbeatResponse(next_heartbeat=self.next_heartbeat, cancelled=cancelled)

    async def FinishTask(self, request: Any, context: Any) -> B.BatonServiceFinishTaskResponse:
        await self._auth(context, "FinishTask")
        self.seen.finished[request.task_id] = request
        self.seen.finish_calls.append(request)
        return B.BatonServiceFinishTaskResponse()

    async def UploadAsset(
        self, request_iterator: AsyncIterator[B.BatonServiceUploadAssetRequest], context: Any
    ) -> B.BatonServiceUploadAssetResponse:
        await self._auth(context, "UploadAsset")
        kinds: list[str] = []
        metadata, chunks, checksum = None, [], b""
        async for message in request_iterator:
            kind = message.WhichOneof("msg")
            kinds.append(kind or "")
            if kind == "metadata":
                metadata = message.metadata
            elif kind == "data":
                chunks.append(message.data.data)
                self.seen.upload_chunks.append(len(message.data.data))
            elif kind == "eof":
                checksum = message.eof.sha256_checksum
        if metadata is None or kinds[0] != "metadata" or kinds[-1] != "eof":
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"bad upload order {kinds}")
        assert metadata is not None
        self.seen.uploads[metadata.task_id] = Upload(metadata, b"".join(chunks), checksum)
        return B.BatonServiceUploadAssetResponse()


class FakeBatonServer:
    def __init__(self, service: FakeBatonService, cert_pem: bytes, key_pem: bytes) -> None:
        self.service = service
        self.server = grpc.aio.server()
        pb.baton_grpc.add_BatonServiceServicer_to_server(service, self.server)
        port = self.server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials([(key_pem, cert_pem)]))
        self.host = f"127.0.0.1:{port}"

    async def __aenter__(self) -> FakeBatonServer:
        await self.server.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.server.stop(None)


async def eventually(condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Polls `condition` every 20 ms; fails the test when it does not hold within `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
