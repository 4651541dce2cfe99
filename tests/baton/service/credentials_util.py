"""Client ids and secrets in ConductorOne's formats, made from a fresh Ed25519 key."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def jwk_of(key: Ed25519PrivateKey, kid: str = "") -> dict[str, str]:
    private = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw_public(key)), "d": b64url(private)}
    if kid:
        jwk["kid"] = kid
    return jwk


def secret_from_jwk(jwk: dict[str, str]) -> str:
    return "secret-token:conductorone.com:v1:" + b64url(json.dumps(jwk).encode())


@dataclass(frozen=True)
class TestClient:
    __test__ = False  # not a pytest test class

    client_id: str
    client_secret: str
    public_key: Ed25519PublicKey


def make_client(token_host: str, name: str = "baton-test", kid: str = "") -> TestClient:
    key = Ed25519PrivateKey.generate()
    return TestClient(f"{name}@{token_host}/pcc", secret_from_jwk(jwk_of(key, kid)), key.public_key())
