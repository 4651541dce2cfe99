"""The client assertion and the token exchange, against an in-memory token endpoint."""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.parse
from typing import Any

import grpc
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from baton_confluence.baton.service import PlatformError
from baton_confluence.baton.service.credentials import ClientCredentials, client_assertion, load_credentials
from baton_confluence.baton.service.token_source import REFRESH_MARGIN_SECONDS, TokenSource
from tests.baton.service.credentials_util import jwk_of, secret_from_jwk

KEY = Ed25519PrivateKey.generate()
CLIENT_ID = "robot@c1.example:8443/pcc"
NOW = 1_760_000_000.0


def creds(kid: str = "") -> ClientCredentials:
    return load_credentials(CLIENT_ID, secret_from_jwk(jwk_of(KEY, kid)), env={})


def decode(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def test_assertion_header_claims_and_signature() -> None:
    jws = client_assertion(creds(kid="k1"), NOW)
    head, body, signature = jws.split(".")
    header, claims = decode(head), decode(body)
    assert header.keys() == {"alg", "nonce", "kid"} and header["alg"] == "EdDSA" and header["kid"] == "k1"
    assert len(header["nonce"]) == 32 and int(header["nonce"], 16) >= 0
    assert claims == {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": "c1.example",
        "iat": int(NOW),
        "nbf": int(NOW) - 120,
        "exp": int(NOW) + 120,
    }
    KEY.public_key().verify(base64.urlsafe_b64decode(signature + "=="), f"{head}.{body}".encode())
    assert "=" not in jws


def test_assertion_without_kid_and_with_fresh_nonces() -> None:
    first, second = client_assertion(creds(), NOW), client_assertion(creds(), NOW)
    assert "kid" not in decode(first.split(".")[0])
    assert decode(first.split(".")[0])["nonce"] != decode(second.split(".")[0])["nonce"]


class Endpoint:
    """An httpx transport standing in for /auth/v1/token."""

    def __init__(self, status: int = 200, body: Any = None) -> None:
        self.status = status
        self.body = body if body is not None else {"access_token": "tok", "token_type": "bearer", "expires_in": 3600}
        self.forms: list[dict[str, str]] = []
        self.urls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        self.forms.append(dict(urllib.parse.parse_qsl(request.content.decode())))
        return httpx.Response(self.status, json=self.body)


def authorize(endpoint: Endpoint, waits: tuple[float, ...] = (0.0,)) -> list[str]:
    """One TokenSource asked for the header once per wait, the clock moved on by that wait first."""
    now = [100.0]

    async def run() -> list[str]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(endpoint)) as http:
            source = TokenSource(creds(), http, clock=lambda: now[0])
            headers = []
            for wait in waits:
                now[0] += wait
                headers.append(await source.authorization())
            return headers

    return asyncio.run(run())


def test_exchange_posts_the_form_and_normalises_the_token_type() -> None:
    endpoint = Endpoint()
    assert authorize(endpoint) == ["Bearer tok"]
    assert endpoint.urls == ["https://c1.example:8443/auth/v1/token"]
    form = endpoint.forms[0]
    assert form.keys() == {"client_id", "grant_type", "client_assertion_type", "client_assertion"}
    assert (form["client_id"], form["grant_type"]) == (CLIENT_ID, "client_credentials")
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert form["client_assertion"].count(".") == 2


def test_token_is_cached_until_shortly_before_expiry() -> None:
    lifetime = 3600 - REFRESH_MARGIN_SECONDS
    reused = Endpoint()
    authorize(reused, (0.0, lifetime / 2, lifetime / 2 - 1))
    assert len(reused.forms) == 1
    renewed = Endpoint()
    authorize(renewed, (0.0, lifetime))
    assert len(renewed.forms) == 2


def test_refusal_is_unauthenticated_with_the_reason_and_no_secret() -> None:
    endpoint = Endpoint(401, {"error": "invalid_client", "error_description": "unknown key"})
    with pytest.raises(PlatformError) as caught:
        authorize(endpoint)
    err = caught.value
    assert err.code == grpc.StatusCode.UNAUTHENTICATED
    assert "HTTP 401 Unauthorized (invalid_client: unknown key)" in err.message
    assert jwk_of(KEY)["d"] not in err.message and endpoint.forms[0]["client_assertion"] not in err.message


@pytest.mark.parametrize("body", [{"token_type": "bearer"}, {"access_token": ""}, ["not", "an", "object"]])
def test_unusable_token_responses_are_unauthenticated(body: Any) -> None:
    with pytest.raises(PlatformError) as caught:
        authorize(Endpoint(200, body))
    assert caught.value.code == grpc.StatusCode.UNAUTHENTICATED


def test_unreachable_endpoint_is_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
            await TokenSource(creds(), http).authorization()

    with pytest.raises(PlatformError) as caught:
        asyncio.run(run())
    assert caught.value.code == grpc.StatusCode.UNAVAILABLE
    assert "cannot reach the token endpoint https://c1.example:8443/auth/v1/token" in caught.value.message
