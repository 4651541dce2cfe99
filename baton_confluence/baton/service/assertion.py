"""The RFC 7523 client assertion: a compact EdDSA JWS signed with the client secret's key.

Claims as the Go SDK sends them: `iss` = `sub` = client id, `aud` = token host without port
(a single string), `iat` now, `nbf` two minutes back and `exp` two minutes ahead, so modest
clock skew between this host and ConductorOne does not reject the token request.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from baton_confluence.baton.service.credentials import ClientCredentials

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
