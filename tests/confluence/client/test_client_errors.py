"""HTTP statuses and connection failures become ConnectorErrors with the right code and message."""

from __future__ import annotations

import asyncio
import socket
import ssl
from datetime import timedelta
from typing import Any

import grpc
import httpx
import pytest
import respx

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import ConfluenceHTTP
from baton_confluence.confluence.client.errors import api_error_message

BASE = "https://example.atlassian.net"
PATH = "/wiki/rest/api/group"


def get_error(http: ConfluenceHTTP, response: httpx.Response | Exception, path: str = PATH) -> ConnectorError:
    async def run() -> ConnectorError:
        with respx.mock(base_url=BASE) as router:
            router.get(path).mock(side_effect=[response] * 10)
            with pytest.raises(ConnectorError) as caught:
                await http.get_json(path, {"start": 0, "limit": 200})
            return caught.value

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, grpc.StatusCode.INVALID_ARGUMENT),
        (401, grpc.StatusCode.UNAUTHENTICATED),
        (403, grpc.StatusCode.PERMISSION_DENIED),
        (404, grpc.StatusCode.NOT_FOUND),
        (408, grpc.StatusCode.DEADLINE_EXCEEDED),
        (409, grpc.StatusCode.ALREADY_EXISTS),
        (410, grpc.StatusCode.INVALID_ARGUMENT),
        (413, grpc.StatusCode.INVALID_ARGUMENT),
        (422, grpc.StatusCode.INVALID_ARGUMENT),
        (429, grpc.StatusCode.UNAVAILABLE),
        (500, grpc.StatusCode.UNAVAILABLE),
        (501, grpc.StatusCode.UNIMPLEMENTED),
        (502, grpc.StatusCode.UNAVAILABLE),
        (503, grpc.StatusCode.UNAVAILABLE),
        (504, grpc.StatusCode.UNAVAILABLE),
        (599, grpc.StatusCode.UNAVAILABLE),
    ],
)
def test_status_maps_to_grpc_code(make_http: Any, status: int, code: grpc.StatusCode) -> None:
    error = get_error(make_http(max_attempts=1), httpx.Response(status, json={"message": "nope"}))
    assert error.code == code
    assert error.message.startswith(f"baton-confluence: GET {PATH}: HTTP {status}")
    assert error.message.endswith("nope") or status == 401
    assert "limit=" not in error.message  # the query never appears
    assert "\n" not in error.message


def test_401_names_the_credential_flags(make_http: Any) -> None:
    error = get_error(make_http(), httpx.Response(401, text="Unauthorized; scope does not match"))
    assert error.code == grpc.StatusCode.UNAUTHENTICATED
    assert "Unauthorized; scope does not match" in error.message
    assert "check --username/--api-key" in error.message


def test_v2_error_body_and_long_messages(make_http: Any) -> None:
    body = {"errors": [{"status": 400, "code": "INVALID_REQUEST_PARAMETER", "title": "bad limit", "detail": None}]}
    error = get_error(make_http(), httpx.Response(400, json=body))
    assert error.message == f"baton-confluence: GET {PATH}: HTTP 400 Bad Request: bad limit"
    long = api_error_message(b'{"message": "' + b"x" * 1000 + b'"}')
    assert len(long) == 300


def test_html_error_pages_are_left_out() -> None:
    assert api_error_message(b"<html><body>Bad gateway</body></html>") == ""
    assert api_error_message(b"  plain\n text  ") == "plain text"
    assert api_error_message(b"") == ""


def test_429_carries_capped_rate_limit_info(make_http: Any, fake_clock: Any) -> None:
    headers = {"Retry-After": "9223372036854775807", "X-RateLimit-Limit": "100"}
    http = make_http(max_attempts=1)
    error = get_error(http, httpx.Response(429, headers=headers))
    assert error.code == grpc.StatusCode.UNAVAILABLE
    assert error.rate_limit is not None
    assert error.rate_limit.overlimit
    assert error.rate_limit.limit == 100
    assert error.rate_limit.remaining == 0
    assert error.rate_limit.reset_at == fake_clock.wall() + timedelta(seconds=60)


def test_5xx_carries_rate_limit_from_headers(make_http: Any) -> None:
    error = get_error(make_http(max_attempts=1), httpx.Response(500, headers={"X-RateLimit-Remaining": "7"}))
    assert error.rate_limit is not None and error.rate_limit.remaining == 7
    assert not error.rate_limit.overlimit
    plain = get_error(make_http(max_attempts=1), httpx.Response(500))
    assert plain.rate_limit is None


def test_malformed_rate_limit_headers_never_fail_a_request(make_http: Any) -> None:
    headers = {
        "Retry-After": "soon",
        "X-RateLimit-Limit": "lots",
        "X-RateLimit-Remaining": "-3",
        "X-RateLimit-Reset": "tomorrow-ish",
        "X-RateLimit-NearLimit": "maybe",
    }

    async def run() -> Any:
        with respx.mock(base_url=BASE) as router:
            router.get(PATH).mock(return_value=httpx.Response(200, json={"ok": True}, headers=headers))
            return await make_http().get_json(PATH)

    response = asyncio.run(run())
    assert response.data == {"ok": True}
    assert response.rate_limit is None


def test_redirect_is_not_followed(make_http: Any) -> None:
    response = httpx.Response(302, headers={"Location": "https://login.example.com/sso?token=abc"})
    error = get_error(make_http(), response)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "redirected to https://login.example.com/sso" in error.message
    assert "token=abc" not in error.message


def failing_http(make_http: Any, cause: BaseException, **options: Any) -> ConfluenceHTTP:
    """A client whose transport raises ConnectError caused by `cause`, as httpx does for OS errors."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connect failed", request=request) from cause

    return make_http(transport=httpx.MockTransport(handler), **options)


def transport_failure(http: ConfluenceHTTP) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        asyncio.run(http.get_json(PATH))
    return caught.value


def test_tls_verify_failure_says_use_ca_cert_and_is_not_retried(make_http: Any) -> None:
    cause = ssl.SSLCertVerificationError(1, "certificate verify failed")
    cause.verify_message = "self-signed certificate in certificate chain"
    http = failing_http(make_http, cause)
    error = transport_failure(http)
    assert error.code == grpc.StatusCode.UNAVAILABLE
    assert "TLS certificate verification failed for example.atlassian.net" in error.message
    assert "self-signed certificate" in error.message
    assert "--ca-cert" in error.message
    assert http.stats.total == 1


def test_dns_and_refused_name_the_host(make_http: Any) -> None:
    dns = transport_failure(failing_http(make_http, socket.gaierror(-2, "Name or service not known")))
    assert dns.code == grpc.StatusCode.UNAVAILABLE
    assert "cannot resolve host example.atlassian.net" in dns.message
    assert "after 6 attempts" in dns.message  # transient: retried
    refused = transport_failure(failing_http(make_http, ConnectionRefusedError(111, "Connection refused")))
    assert "connection to example.atlassian.net refused" in refused.message


def test_read_timeout_is_deadline_exceeded(make_http: Any) -> None:
    error = get_error(make_http(max_attempts=2), httpx.ReadTimeout("timed out"))
    assert error.code == grpc.StatusCode.DEADLINE_EXCEEDED
    assert error.message == (
        f"baton-confluence: GET {PATH}: no response from example.atlassian.net within the timeout after 2 attempts"
    )


def test_unexpected_success_status_is_an_error(make_http: Any) -> None:
    error = get_error(make_http(), httpx.Response(202, json={}))
    assert error.code == grpc.StatusCode.UNKNOWN
    assert "unexpected HTTP 202" in error.message
