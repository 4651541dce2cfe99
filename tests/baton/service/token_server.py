"""A fake ConductorOne token endpoint: HTTPS on 127.0.0.1, verifying the client assertion for real.

It checks the form fields, the JWS header (alg, nonce), the Ed25519 signature against the
client's registered public key and the claims (iss = sub = client id, aud = the host named in
the client id without its port, the two-minute validity window around iat), then issues an
opaque access token that the fake BatonService accepts.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _unb64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


class Rejected(Exception):
    pass


def audience_of(client_id: str) -> str:
    """What ConductorOne expects as `aud`: the client id's host (`<name>@<host>/<suffix>`), no port."""
    host = client_id.partition("@")[2].partition("/")[0]
    name, _, port = host.rpartition(":")
    return name if port.isdigit() else host


@dataclass
class TokenEndpoint:
    clients: dict[str, Ed25519PublicKey] = field(default_factory=dict)
    issued: set[str] = field(default_factory=set)
    assertions: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)  # (header, claims)
    rejections: list[str] = field(default_factory=list)
    expires_in: int = 3600
    lock: threading.Lock = field(default_factory=threading.Lock)

    def exchange(self, form: dict[str, str]) -> dict[str, Any]:
        if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != ASSERTION_TYPE:
            raise Rejected("unsupported grant")
        client_id = form.get("client_id", "")
        key = self.clients.get(client_id)
        if key is None:
            raise Rejected("unknown client")
        header, claims = self._verify(form.get("client_assertion", ""), key, client_id)
        token = "at-" + secrets.token_hex(8)
        with self.lock:
            self.assertions.append((header, claims))
            self.issued.add(token)
        return {"access_token": token, "token_type": "bearer", "expires_in": self.expires_in}

    def _verify(self, jws: str, key: Ed25519PublicKey, client_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        parts = jws.split(".")
        if len(parts) != 3:
            raise Rejected("assertion is not a compact JWS")
        header, claims = json.loads(_unb64(parts[0])), json.loads(_unb64(parts[1]))
        if header.get("alg") != "EdDSA" or not re.fullmatch(r"[0-9a-f]{32}", header.get("nonce", "")):
            raise Rejected("bad JWS header")
        try:
            key.verify(_unb64(parts[2]), f"{parts[0]}.{parts[1]}".encode())
        except InvalidSignature:
            raise Rejected("assertion signature does not verify") from None
        now = time.time()
        valid = (
            claims.get("iss") == claims.get("sub") == client_id
            and claims.get("aud") == audience_of(client_id)
            and claims["nbf"] <= now <= claims["exp"]
            and claims["exp"] - claims["iat"] == 120
            and claims["iat"] - claims["nbf"] == 120
        )
        if not valid:
            raise Rejected("bad claims")
        return header, claims


def _handler(endpoint: TokenEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            if self.path != "/auth/v1/token":
                self._reply(404, {"error": "not_found"})
                return
            try:
                self._reply(200, endpoint.exchange(form))
            except Rejected as err:
                with endpoint.lock:
                    endpoint.rejections.append(str(err))
                self._reply(401, {"error": "invalid_client", "error_description": str(err)})

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class TokenServer:
    """The endpoint on a TLS socket in a background thread; `host` is `127.0.0.1:<port>`."""

    def __init__(self, endpoint: TokenEndpoint, cert_file: Path, key_file: Path) -> None:
        self.endpoint = endpoint
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(endpoint))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> TokenServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
