"""ConductorOne client credentials and the signed client assertion they are exchanged with.

Credentials: a client id `<name>@<host>/<suffix>` and a `secret-token:…:v1:<JWK>` secret, whose
Ed25519 key signs the RFC 7523 client assertion exchanged for access tokens (`token_source.py`).
Nothing here ever puts the secret, or any part of it, into an error message or a repr: those end
up in logs and CI output.

The assertion's claims are the Go SDK's: `iss` = `sub` = client id, `aud` = the client id's host
without port (a single string), `iat` now, `nbf` two minutes back and `exp` two minutes ahead, so
modest clock skew between this host and ConductorOne does not reject the token request.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from baton_confluence.baton.service.config import ServiceConfigError

API_HOST_ENV = "BATON_C1_API_HOST"
SECRET_VERSION = "v1"
CLIENT_ID_FORMAT = "<client name>@<host>/<suffix>"
SECRET_FORMAT = "secret-token:conductorone.com:v1:<key>"


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_name: str
    # Where token requests (and BatonService calls) go: the client id's host, or BATON_C1_API_HOST.
    # May carry a :port.
    token_host: str
    key: Ed25519PrivateKey = field(repr=False)
    key_id: str = ""
    # The host named in the client id, whatever BATON_C1_API_HOST says; "" means token_host.
    client_id_host: str = ""

    @property
    def audience(self) -> str:
        """The client id's host without its port: what ConductorOne expects as `aud`.

        Upstream builds the audience from the client id alone; BATON_C1_API_HOST only moves
        where the request goes (docs/protocol.md §4.1). A proxy or private endpoint therefore
        still gets assertions addressed to the tenant named in the client id.
        """
        return host_without_port(self.client_id_host or self.token_host)

    @property
    def token_url(self) -> str:
        return f"https://{self.token_host}/auth/v1/token"


def load_credentials(client_id: str, client_secret: str, env: Mapping[str, str] | None = None) -> ClientCredentials:
    """Parses both values; `BATON_C1_API_HOST` replaces where requests go, never the audience."""
    env = os.environ if env is None else env
    name, host = parse_client_id(client_id)
    key, key_id = parse_client_secret(client_secret)
    return ClientCredentials(client_id, name, env.get(API_HOST_ENV) or host, key, key_id, client_id_host=host)


def parse_client_id(client_id: str) -> tuple[str, str]:
    """(client name, token host). The client id is not secret, so errors may quote it."""
    name, at, rest = client_id.partition("@")
    host, slash, _suffix = rest.partition("/")
    if not (at and slash and name and host):
        raise ServiceConfigError(f"invalid --client-id {client_id!r}: expected {CLIENT_ID_FORMAT}")
    return name, host


def parse_client_secret(secret: str) -> tuple[Ed25519PrivateKey, str]:
    """(private key, key id or ""); every failure is one line without any of the secret."""
    parts = secret.strip().split(":", 3)
    if len(parts) != 4 or parts[2] != SECRET_VERSION:
        _bad_secret(f"expected {SECRET_FORMAT}")
    jwk = _decode_jwk(parts[3])
    return _private_key(jwk), str(jwk.get("kid") or "")


def _bad_secret(reason: str) -> NoReturn:
    # `from None`: a chained decoding error could carry the secret (JSONDecodeError keeps the document).
    raise ServiceConfigError(f"invalid --client-secret: {reason}") from None


def _b64url(value: str) -> bytes:
    # validate=True: the lenient default silently drops characters outside the alphabet.
    if "+" in value or "/" in value:
        raise binascii.Error("not base64url")
    standard = value.replace("-", "+").replace("_", "/")
    return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)


def _decode_jwk(encoded: str) -> dict[str, Any]:
    try:
        jwk = json.loads(_b64url(encoded))
    except (binascii.Error, ValueError):
        _bad_secret("the key part is not base64url-encoded JSON")
    if not isinstance(jwk, dict):
        _bad_secret("the key part is not a JSON Web Key object")
    return jwk


def _private_key(jwk: dict[str, Any]) -> Ed25519PrivateKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        _bad_secret("the key must be an Ed25519 (kty OKP) key")
    if not isinstance(jwk.get("d"), str):
        _bad_secret("the key holds no private part")
    try:
        key = Ed25519PrivateKey.from_private_bytes(_b64url(jwk["d"]))
    except (binascii.Error, ValueError):
        _bad_secret("the private key is not a valid Ed25519 key")
    if "x" in jwk and not _matches_public(key, jwk["x"]):
        _bad_secret("the key's public part does not match its private part")
    return key


def _matches_public(key: Ed25519PrivateKey, x: Any) -> bool:
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    try:
        return isinstance(x, str) and _b64url(x) == public
    except (binascii.Error, ValueError):
        return False


def split_host_port(host: str) -> tuple[str, str]:
    """`example.com:8443` → (example.com, 8443), `[::1]:443` → (::1, 443), no port → (host, "")."""
    if host.startswith("[") and "]" in host:
        name, _, rest = host[1:].partition("]")
        return name, rest.removeprefix(":")
    name, colon, port = host.rpartition(":")
    if colon and port.isdigit() and ":" not in name:
        return name, port
    return host, ""


def host_without_port(host: str) -> str:
    return split_host_port(host)[0]


SKEW_SECONDS = 120
NONCE_BYTES = 16


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def client_assertion(creds: ClientCredentials, now: float, nonce: str = "") -> str:
    """header.claims.signature, each base64url without padding."""
    header = {"alg": "EdDSA", "nonce": nonce or secrets.token_hex(NONCE_BYTES)}
    if creds.key_id:
        header["kid"] = creds.key_id
    issued = int(now)
    claims = {
        "iss": creds.client_id,
        "sub": creds.client_id,
        "aud": creds.audience,
        "exp": issued + SKEW_SECONDS,
        "nbf": issued - SKEW_SECONDS,
        "iat": issued,
    }
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    signature = creds.key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"
