"""ConfluenceHTTP: headers, bodies, retries, base URL handling, TLS options, accounting."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import certifi
import grpc
import httpx
import pytest
import respx
from structlog.testing import LogCapture

from baton_confluence import __version__
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import BasicAuth, BearerAuth, ConfluenceHTTP, validate_base_url

BASE = "https://example.atlassian.net"
PATH = "/wiki/rest/api/group"


def run_with_routes(coro_factory: Any) -> Any:
    """Run `coro_factory(router)` inside a respx mock of the site."""

    async def run() -> Any:
        with respx.mock(base_url=BASE, assert_all_called=False) as router:
            return await coro_factory(router)

    return asyncio.run(run())


# --- headers and bodies -----------------------------------------------------------------------
def test_sends_auth_accept_xsrf_and_user_agent_headers(make_http: Any) -> None:
    async def scenario(router: respx.Router) -> httpx.Request:
        route = router.post(PATH).mock(return_value=httpx.Response(201))
        await make_http().post_json(PATH, {"name": "g"})
        return route.calls.last.request

    request = run_with_routes(scenario)
    expected = base64.b64encode(b"admin@example.com:ATATT3xFfGF0-super-secret-token-value").decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert request.headers["accept"] == "application/json"
    assert request.headers["x-atlassian-token"] == "no-check"
    assert request.headers["user-agent"] == f"baton-confluence/{__version__}"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"name": "g"}


def test_bearer_auth_header(make_http: Any) -> None:
    async def scenario(router: respx.Router) -> httpx.Request:
        route = router.get(PATH).mock(return_value=httpx.Response(200, json={}))
        await make_http(auth=BearerAuth("pat-123")).get_json(PATH)
        return route.calls.last.request

    assert run_with_routes(scenario).headers["authorization"] == "Bearer pat-123"


def test_credentials_hide_their_secret_in_repr() -> None:
    assert "secret" not in repr(BasicAuth("me", "secret"))
    assert "pat-1" not in repr(BearerAuth("pat-1"))
    with pytest.raises(ConnectorError) as caught:
        BasicAuth("me", "")
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize("body", [b"", b"Created", b"<html>ok</html>"])
def test_201_with_empty_or_non_json_body_is_success(make_http: Any, body: bytes) -> None:
    async def scenario(router: respx.Router) -> Any:
        router.post(PATH).mock(return_value=httpx.Response(201, content=body))
        return await make_http().post_json(PATH, {"accountId": "a"})

    response = run_with_routes(scenario)
    assert response.status == 201
    assert response.data is None


def test_204_delete_and_json_put(make_http: Any) -> None:
    async def scenario(router: respx.Router) -> tuple[Any, Any]:
        router.delete(PATH).mock(return_value=httpx.Response(204))
        router.put(PATH).mock(return_value=httpx.Response(200, json={"id": "1"}))
        http = make_http()
        return await http.delete(PATH, {"groupId": "g"}), await http.put_json(PATH, {"x": 1})

    deleted, put = run_with_routes(scenario)
    assert deleted.data is None and deleted.status == 204
    assert put.data == {"id": "1"}


# --- retries ----------------------------------------------------------------------------------
def test_503_then_success_is_retried(make_http: Any, fake_clock: Any) -> None:
    async def scenario(router: respx.Router) -> Any:
        router.get(PATH).mock(side_effect=[httpx.Response(503), httpx.Response(200, json={"ok": 1})])
        http = make_http()
        response = await http.get_json(PATH)
        return response, http

    response, http = run_with_routes(scenario)
    assert response.data == {"ok": 1}
    assert http.stats.total == 2 and http.stats.retries == 1 and http.stats.calls == 1
    assert 0.1 <= fake_clock.sleeps[0] <= 0.2  # first backoff: equal jitter over 0.2 s


def test_persistent_failure_names_endpoint_status_and_attempts(make_http: Any) -> None:
    async def scenario(router: respx.Router) -> Any:
        router.get(PATH).mock(return_value=httpx.Response(502, json={"message": "upstream down"}))
        http = make_http()
        with pytest.raises(ConnectorError) as caught:
            await http.get_json(PATH)
        return caught.value, http

    error, http = run_with_routes(scenario)
    assert error.code == grpc.StatusCode.UNAVAILABLE
    assert error.message == (f"baton-confluence: GET {PATH}: HTTP 502 Bad Gateway after 6 attempts: upstream down")
    assert http.stats.total == 6


def test_backoff_grows_and_is_capped(make_http: Any, fake_clock: Any) -> None:
    async def scenario(router: respx.Router) -> None:
        router.get(PATH).mock(return_value=httpx.Response(500))
        with pytest.raises(ConnectorError):
            await make_http(max_attempts=10).get_json(PATH)

    run_with_routes(scenario)
    ceilings = [min(10.0, 0.2 * 2**i) for i in range(9)]
    assert len(fake_clock.sleeps) == 9
    for delay, ceiling in zip(fake_clock.sleeps, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling


def test_post_is_not_retried_after_500(make_http: Any) -> None:
    async def scenario(router: respx.Router) -> Any:
        route = router.post(PATH).mock(return_value=httpx.Response(500))
        with pytest.raises(ConnectorError) as caught:
            await make_http().post_json(PATH, {"accountId": "a"})
        return caught.value, route.call_count

    error, calls = run_with_routes(scenario)
    assert calls == 1
    assert error.code == grpc.StatusCode.UNAVAILABLE
    assert "after" not in error.message


def test_post_is_retried_after_429(make_http: Any) -> None:
    async def scenario(router: respx.Router) -> Any:
        route = router.post(PATH).mock(side_effect=[httpx.Response(429), httpx.Response(201)])
        response = await make_http().post_json(PATH, {"accountId": "a"})
        return response, route.call_count

    response, calls = run_with_routes(scenario)
    assert calls == 2 and response.status == 201


def flaky_transport(errors: list[Exception], final: httpx.Response) -> tuple[httpx.MockTransport, list[str]]:
    """A transport raising each error in turn, then answering `final`; records methods seen."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if errors:
            raise errors.pop(0)
        return final

    return httpx.MockTransport(handler), seen


def test_connection_reset_is_retried_for_get(make_http: Any) -> None:
    transport, seen = flaky_transport(
        [httpx.ReadError("Connection reset by peer"), httpx.RemoteProtocolError("Server disconnected")],
        httpx.Response(200, json={"results": []}),
    )
    response = asyncio.run(make_http(transport=transport).get_json(PATH))
    assert response.data == {"results": []}
    assert seen == ["GET", "GET", "GET"]


def test_post_connection_reset_is_not_retried_but_connect_error_is(make_http: Any) -> None:
    transport, seen = flaky_transport([httpx.ReadError("Connection reset by peer")], httpx.Response(201))
    with pytest.raises(ConnectorError) as caught:
        asyncio.run(make_http(transport=transport).post_json(PATH, {}))
    assert seen == ["POST"]
    assert caught.value.code == grpc.StatusCode.UNAVAILABLE

    transport, seen = flaky_transport(
        [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("busy")],
        httpx.Response(201),
    )
    response = asyncio.run(make_http(transport=transport).post_json(PATH, {}))
    assert response.status == 201 and len(seen) == 4


def test_truncated_json_is_retried(make_http: Any) -> None:
    async def scenario(router: respx.Router) -> Any:
        router.get(PATH).mock(
            side_effect=[
                httpx.Response(200, content=b'{"results": [{"id": "1"}, {"id'),
                httpx.Response(200, json={"results": [{"id": "1"}]}),
            ]
        )
        http = make_http()
        return await http.get_json(PATH), http

    response, http = run_with_routes(scenario)
    assert response.data == {"results": [{"id": "1"}]}
    assert http.stats.retries == 1


def test_persistent_truncated_json_is_unavailable(make_http: Any) -> None:
    async def scenario(router: respx.Router) -> ConnectorError:
        router.get(PATH).mock(return_value=httpx.Response(200, content=b'{"results": ['))
        with pytest.raises(ConnectorError) as caught:
            await make_http(max_attempts=3).get_json(PATH)
        return caught.value

    error = run_with_routes(scenario)
    assert error.code == grpc.StatusCode.UNAVAILABLE
    assert error.message == (
        f"baton-confluence: GET {PATH}: HTTP 200 with invalid or truncated JSON (13 bytes) after 3 attempts"
    )


# --- base URL ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("example.atlassian.net", "it has no http:// or https:// scheme"),
        ("ftp://example.com", "the scheme must be http or https"),
        ("https://", "it has no host name"),
        ("https://example.com/wiki?x=1", "must not contain a query"),
        ("https://host:99999", "it cannot be parsed"),
    ],
)
def test_base_url_validation_messages(value: str, problem: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        validate_base_url(value)
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert f"invalid base URL {value!r}" in caught.value.message
    assert problem in caught.value.message
    assert "expected https://your-site.atlassian.net" in caught.value.message


def test_base_url_with_credentials_is_rejected_without_echoing_them() -> None:
    with pytest.raises(ConnectorError) as caught:
        validate_base_url("https://me:hunter2@example.com")
    assert "hunter2" not in caught.value.message
    assert "https://***@example.com" in caught.value.message


def test_base_url_is_normalised_and_keeps_its_context_path(make_http: Any) -> None:
    assert (
        validate_base_url(" HTTPS://Host.Example.com:8443/confluence/ ") == "https://host.example.com:8443/confluence"
    )

    async def scenario(router: respx.Router) -> str:
        route = router.get("https://dc.example.com/confluence/rest/api/space").mock(
            return_value=httpx.Response(200, json={})
        )
        await make_http(base_url="https://dc.example.com/confluence/").get_json("/rest/api/space")
        return str(route.calls.last.request.url)

    assert run_with_routes(scenario) == "https://dc.example.com/confluence/rest/api/space"


# --- TLS options ------------------------------------------------------------------------------
def test_missing_ca_cert_is_invalid_argument(make_http: Any, tmp_path: Any) -> None:
    with pytest.raises(ConnectorError) as caught:
        make_http(ca_cert=str(tmp_path / "missing.pem"))
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "cannot load --ca-cert" in caught.value.message


def test_valid_ca_cert_builds_a_client(make_http: Any) -> None:
    assert make_http(ca_cert=certifi.where()).base_url == BASE


def test_insecure_skip_verify_warns(make_http: Any, logs: LogCapture) -> None:
    make_http(insecure_skip_verify=True)
    warnings = [entry for entry in logs.entries if entry["event"] == "confluence_tls_verification_disabled"]
    assert len(warnings) == 1 and warnings[0]["log_level"] == "warning"


# --- lifecycle and accounting -----------------------------------------------------------------
def test_async_context_manager_closes_the_pool(make_http: Any) -> None:
    async def scenario() -> ConfluenceHTTP:
        async with make_http() as http:
            pass
        return http

    http = asyncio.run(scenario())
    assert http._client.is_closed


def test_stats_count_calls_per_url_and_status(make_http: Any) -> None:
    async def scenario(router: respx.Router) -> Any:
        ok = httpx.Response(200, json={})
        router.get(PATH).mock(side_effect=[httpx.Response(429), ok, ok])
        http = make_http()
        await http.get_json(PATH, {"start": 0, "limit": 200})
        await http.get_json(PATH, {"limit": 200, "start": 200})
        return http.stats

    stats = run_with_routes(scenario)
    assert stats.total == 3 and stats.calls == 2 and stats.retries == 1 and stats.rate_limited == 1
    assert stats.by_status == {429: 1, 200: 2}
    assert stats.by_url == {f"GET {PATH}?limit=200&start=0": 1, f"GET {PATH}?limit=200&start=200": 1}
    assert stats.repeated() == {}
