"""Startup: token exchange, Hello with connector metadata, build and host facts, then polling."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from baton_confluence import __version__
from baton_confluence.baton.service import PlatformError, ServiceConfigError
from baton_confluence.baton.service.credentials import API_HOST_ENV
from baton_confluence.cli.errors import one_line
from tests.baton.service.conftest import Platform
from tests.baton.service.connectors import Calls, library_factory
from tests.baton.service.credentials_util import make_client
from tests.baton.service.fake_baton import eventually


def test_hello_carries_metadata_build_and_os_info(platform: Platform) -> None:
    calls = Calls()

    async def scenario() -> None:
        async with platform.serving(library_factory(calls)) as running:
            seen = running.service.seen
            await eventually(lambda: bool(seen.hellos) and seen.polls >= 2, what="hello and polls")
        assert await running.outcome() is None
        hello = seen.hellos[0]
        assert hello.host_id == "test-host" and hello.task_id == ""
        assert hello.connector_metadata.display_name == "Library"
        assert hello.connector_metadata.capabilities.resource_type_capabilities
        assert (hello.build_info.package, hello.build_info.package_version) == ("baton-confluence", __version__)
        assert hello.build_info.lang_version.startswith("python3.")
        for name in (
            "hostname",
            "os",
            "platform",
            "platform_family",
            "platform_version",
            "kernel_version",
            "kernel_arch",
            "virtualization_system",
        ):
            assert getattr(hello.os_info, name), f"os_info.{name} is empty"
        first = seen.metadata[0]
        assert first["authorization"].startswith("Bearer at-")
        assert first["user-agent"].startswith(f"baton-test baton-confluence/{__version__}")
        assert seen.unauthenticated == 0

    asyncio.run(scenario())
    assert len(platform.endpoint.assertions) == 1, "the access token is reused across calls"
    assert calls.closed == calls.built >= 1


def test_transient_hello_failures_are_retried(platform: Platform) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            running.service.hello_errors[:] = [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.INTERNAL]
            await eventually(lambda: running.service.seen.polls >= 1, what="polling after retried hellos")
        assert await running.outcome() is None
        assert len(running.service.seen.hellos) == 1

    asyncio.run(scenario())


def test_permanent_hello_refusal_stops_the_service(platform: Platform) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            running.service.hello_errors[:] = [grpc.StatusCode.PERMISSION_DENIED]
            err = await running.outcome()
        assert isinstance(err, PlatformError) and err.code == grpc.StatusCode.PERMISSION_DENIED
        assert "rejected this connector's credentials" in str(err)
        assert running.service.seen.polls == 0

    asyncio.run(scenario())


def test_wrong_secret_fails_with_a_clear_unauthenticated_error(platform: Platform) -> None:
    impostor = make_client(platform.token_host)  # same format, a key ConductorOne never saw

    async def scenario() -> None:
        async with platform.serving(library_factory(Calls()), client_secret=impostor.client_secret) as running:
            err = await running.outcome()
        assert isinstance(err, PlatformError) and err.code == grpc.StatusCode.UNAUTHENTICATED
        message = str(err)
        assert "refused the client credentials: HTTP 401" in message
        assert "assertion signature does not verify" in message
        assert impostor.client_secret not in message and impostor.client_secret.split(":")[3][:20] not in message
        assert running.service.seen.hellos == [] and running.service.seen.metadata == []
        line, exit_code = one_line(err)  # what the command line prints and exits with
        assert exit_code == 16 and "\n" not in line and impostor.client_secret not in line

    asyncio.run(scenario())
    assert platform.endpoint.rejections == ["assertion signature does not verify"]


def test_malformed_secret_fails_before_any_network_call(platform: Platform) -> None:
    secret = "secret-token:conductorone.com:v1:c2VjcmV0LXN0dWZm"  # base64url of "secret-stuff", not a JWK

    async def scenario() -> None:
        async with platform.serving(library_factory(Calls()), client_secret=secret) as running:
            err = await running.outcome()
        assert isinstance(err, ServiceConfigError) and err.code == grpc.StatusCode.INVALID_ARGUMENT
        assert str(err).startswith("invalid --client-secret:") and "\n" not in str(err)
        assert "c2VjcmV0" not in str(err) and "secret-stuff" not in str(err)

    asyncio.run(scenario())
    assert platform.endpoint.assertions == [] and platform.endpoint.rejections == []


def test_revoked_access_token_is_exchanged_again(platform: Platform) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            seen = running.service.seen
            await eventually(lambda: seen.polls >= 1, what="polling")
            platform.endpoint.issued.clear()  # ConductorOne forgets the token: the next call is refused
            await eventually(lambda: len(platform.endpoint.assertions) == 2, what="a second token exchange")
            polls = seen.polls
            await eventually(lambda: seen.polls > polls, what="polling with the new token")
        assert await running.outcome() is None
        assert seen.unauthenticated >= 1

    asyncio.run(scenario())


def test_token_exchange_without_the_api_host_override(platform: Platform) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            await eventually(lambda: running.service.seen.polls >= 1, what="polling")
        assert await running.outcome() is None

    asyncio.run(scenario())
    (_, claims), = platform.endpoint.assertions
    assert claims["aud"] == "127.0.0.1", "the client id's host without its port"
    assert claims["iss"] == claims["sub"] == platform.client.client_id


def test_token_exchange_with_the_api_host_override(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    """BATON_C1_API_HOST sends the token request elsewhere; `aud` still names the client id's host."""
    tenant = make_client("tenant.example.invalid:8443")
    platform.endpoint.clients[tenant.client_id] = tenant.public_key
    monkeypatch.setenv(API_HOST_ENV, platform.token_host)  # the only reachable token endpoint

    async def scenario() -> None:
        overrides = {"client_id": tenant.client_id, "client_secret": tenant.client_secret}
        async with platform.serving(library_factory(Calls()), **overrides) as running:
            await eventually(lambda: running.service.seen.polls >= 1, what="polling with the exchanged token")
        assert await running.outcome() is None
        assert running.service.seen.unauthenticated == 0

    asyncio.run(scenario())
    assert platform.endpoint.rejections == []
    (_, claims), = platform.endpoint.assertions
    assert claims["aud"] == "tenant.example.invalid"
