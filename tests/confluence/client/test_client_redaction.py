"""Credentials never reach logs (debug included) or error messages."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import httpx
import pytest
import respx
from structlog.testing import LogCapture

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import redact
from baton_confluence.confluence.client.urls import safe_query, url_key

BASE = "https://example.atlassian.net"
TOKEN = "ATATT3xFfGF0-super-secret-token-value"  # what conftest's make_http authenticates with
BASIC = base64.b64encode(f"admin@example.com:{TOKEN}".encode()).decode()


def test_redact_replaces_raw_and_url_encoded_forms() -> None:
    text = "a s3cr/et b s3cr%2Fet c"
    assert redact(text, ["s3cr/et"]) == "a [REDACTED] b [REDACTED] c"
    assert redact("nothing here", ["", "zzz"]) == "nothing here"
    assert redact("abcdef", ["abc", "abcdef"]) == "[REDACTED]"  # longest first


def test_secret_named_query_values_are_hidden() -> None:
    params = {"api_key": "k1", "accessToken": "t1", "client_secret": "s1", "cursor": "c1"}
    hidden = "%5BREDACTED%5D"
    assert safe_query(params) == f"accessToken={hidden}&api_key={hidden}&client_secret={hidden}&cursor=c1"
    assert "k1" not in url_key("GET", "/x", params)


def test_token_never_logged_nor_in_errors(make_http: Any, logs: LogCapture) -> None:
    """Exercise success, retries, a 401 echoing the token, a connection error quoting it."""

    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"proxy refused credentials {TOKEN} / {BASIC}", request=request)

    async def scenario() -> list[ConnectorError]:
        errors: list[ConnectorError] = []
        http = make_http(max_attempts=2)
        with respx.mock(base_url=BASE) as router:
            router.get("/wiki/rest/api/user/current").mock(
                side_effect=[httpx.Response(503), httpx.Response(200, json={"accountId": "me"})]
            )
            router.get("/wiki/rest/api/group").mock(
                return_value=httpx.Response(401, json={"message": f"bad token {TOKEN} (basic {BASIC})"})
            )
            await http.get_json("/wiki/rest/api/user/current", {"api_key": TOKEN})
            with pytest.raises(ConnectorError) as caught:
                await http.get_json("/wiki/rest/api/group")
            errors.append(caught.value)
        failing = make_http(transport=httpx.MockTransport(broken), max_attempts=2)
        with pytest.raises(ConnectorError) as caught:
            await failing.get_json("/wiki/rest/api/space")
        errors.append(caught.value)
        return errors

    errors = asyncio.run(scenario())
    assert any(entry["log_level"] == "debug" for entry in logs.entries)
    assert any(entry["log_level"] == "warning" for entry in logs.entries)
    captured = repr(logs.entries)
    for secret in (TOKEN, BASIC):
        assert secret not in captured
        for error in errors:
            assert secret not in error.message
            assert secret not in str(error)
    assert "[REDACTED]" in errors[0].message and "[REDACTED]" in errors[1].message
