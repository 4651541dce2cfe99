"""Parsing client ids and secrets; malformed values fail with one line that quotes no secret."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from baton_confluence.baton.service import ServiceConfig, ServiceConfigError
from baton_confluence.baton.service.credentials import host_without_port, load_credentials
from tests.baton.service.credentials_util import b64url, jwk_of, raw_public, secret_from_jwk

KEY = Ed25519PrivateKey.generate()
GOOD_JWK = jwk_of(KEY)
GOOD_SECRET = secret_from_jwk(GOOD_JWK)
CLIENT_ID = "happy-otter-42@acme.conductor.one/pcc"


def test_parses_client_id_and_secret() -> None:
    creds = load_credentials(CLIENT_ID, GOOD_SECRET, env={})
    assert (creds.client_name, creds.token_host, creds.audience) == (
        "happy-otter-42",
        "acme.conductor.one",
        "acme.conductor.one",
    )
    assert creds.token_url == "https://acme.conductor.one/auth/v1/token"
    assert raw_public(creds.key) == raw_public(KEY) and creds.key_id == ""


def test_key_id_comes_from_the_jwk() -> None:
    assert load_credentials(CLIENT_ID, secret_from_jwk(jwk_of(KEY, kid="key-7")), env={}).key_id == "key-7"


def test_api_host_variable_moves_the_requests_but_not_the_audience() -> None:
    creds = load_credentials(CLIENT_ID, GOOD_SECRET, env={"BATON_C1_API_HOST": "c1.internal:8443"})
    assert (creds.token_host, creds.token_url) == ("c1.internal:8443", "https://c1.internal:8443/auth/v1/token")
    assert creds.audience == "acme.conductor.one", "upstream's aud is always the client id's host"


def test_audience_drops_the_client_id_hosts_port() -> None:
    creds = load_credentials("otter@acme.conductor.one:8443/pcc", GOOD_SECRET, env={"BATON_C1_API_HOST": "proxy:9"})
    assert creds.audience == "acme.conductor.one"


def test_secret_never_shows_in_reprs() -> None:
    creds = load_credentials(CLIENT_ID, GOOD_SECRET, env={})
    config = ServiceConfig(client_id=CLIENT_ID, client_secret=GOOD_SECRET)
    for text in (repr(creds), repr(config)):
        assert GOOD_SECRET not in text and GOOD_JWK["d"] not in text


@pytest.mark.parametrize("client_id", ["no-at-sign/x", "name@host-without-slash", "@host/x", "name@/x", ""])
def test_malformed_client_ids(client_id: str) -> None:
    with pytest.raises(ServiceConfigError, match=r"invalid --client-id .*expected <client name>@<host>/<suffix>"):
        load_credentials(client_id, GOOD_SECRET, env={})


def encoded(value: object) -> str:
    return "secret-token:conductorone.com:v1:" + b64url(json.dumps(value).encode())


OTHER_X = b64url(raw_public(Ed25519PrivateKey.generate()))
MALFORMED = {
    "three parts": "secret-token:conductorone.com:" + b64url(json.dumps(GOOD_JWK).encode()),
    "not v1": GOOD_SECRET.replace(":v1:", ":v2:"),
    "bad base64": GOOD_SECRET[:-4] + "!!!!",
    "standard base64 alphabet": "secret-token:conductorone.com:v1:" + base64.b64encode(b"\xfb\xff" * 30).decode(),
    "not json": "secret-token:conductorone.com:v1:" + b64url(b"d-is-hunter2"),
    "json list": encoded([GOOD_JWK]),
    "rsa key": encoded({**GOOD_JWK, "kty": "RSA"}),
    "x25519 curve": encoded({**GOOD_JWK, "crv": "X25519"}),
    "public key only": encoded({k: v for k, v in GOOD_JWK.items() if k != "d"}),
    "short private key": encoded({**GOOD_JWK, "d": GOOD_JWK["d"][:20]}),
    "mismatched public part": encoded({**GOOD_JWK, "x": OTHER_X}),
}


@pytest.mark.parametrize("secret", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_secrets_fail_without_quoting_them(secret: str) -> None:
    with pytest.raises(ServiceConfigError) as caught:
        load_credentials(CLIENT_ID, secret, env={})
    message = str(caught.value)
    assert caught.value.__suppress_context__, "no chained decoding error that could quote the secret"
    assert message.startswith("invalid --client-secret: ") and "\n" not in message
    key_part = secret.split(":")[-1]
    for fragment in (secret, key_part[:12], key_part[-12:], GOOD_JWK["d"][:12], "hunter2"):
        assert fragment not in message


@pytest.mark.parametrize(
    ("host", "bare"),
    [
        ("a.example", "a.example"),
        ("a.example:8443", "a.example"),
        ("[::1]:443", "::1"),
        ("::1", "::1"),
        ("127.0.0.1:9", "127.0.0.1"),
    ],
)
def test_host_without_port(host: str, bare: str) -> None:
    assert host_without_port(host) == bare
