"""Talking to ConductorOne: client credentials, access tokens, the BatonService client, uploads.

Credentials: a client id `<name>@<host>/<suffix>` and a `secret-token:…:v1:<JWK>` secret, whose
Ed25519 key signs the RFC 7523 client assertion exchanged for access tokens. Nothing here ever
puts the secret, or any part of it, into an error message or a repr: those end up in logs and
CI output.

The assertion's claims are the Go SDK's: `iss` = `sub` = client id, `aud` = the client id's host
without port (a single string), `iat` now, `nbf` two minutes back and `exp` two minutes ahead, so
modest clock skew between this host and ConductorOne does not reject the token request.

The Go SDK dials a fresh connection per RPC; one long-lived grpc.aio channel does the same job
(gRPC reconnects on its own) without a TLS handshake per poll. A sync's c1z is uploaded as
metadata, 512 KiB data chunks, then EOF with the file's SHA-256.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import grpc
import httpx
import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from baton_confluence import __version__
from baton_confluence.baton import pb
from baton_confluence.baton.service.config import PlatformError, ServiceConfigError

log = structlog.get_logger("baton.service")


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


ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Fetch a new token this long before the old one expires, so no RPC leaves with a token
# that dies in flight.
REFRESH_MARGIN_SECONDS = 30.0
MAX_ERROR_TEXT = 200
# How golang.org/x/oauth2 normalises token types; anything else is sent as given.
TOKEN_TYPES = {"": "Bearer", "bearer": "Bearer", "mac": "MAC", "basic": "Basic"}


@dataclass(frozen=True)
class AccessToken:
    value: str
    token_type: str
    expires_at: float  # monotonic clock

    @property
    def header(self) -> str:
        return f"{self.token_type} {self.value}"


class TokenSource:
    """Hands out the `authorization` header value; one exchange at a time, reused while fresh."""

    def __init__(
        self,
        creds: ClientCredentials,
        http: httpx.AsyncClient,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.creds = creds
        self.http = http
        self.clock = clock
        self.wall_clock = wall_clock
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()
        self.exchanges = 0

    async def authorization(self) -> str:
        async with self._lock:
            token = self._token
            if token is None or self.clock() >= token.expires_at - REFRESH_MARGIN_SECONDS:
                token = self._token = await self._exchange()
            return token.header

    def invalidate(self) -> None:
        """Forget the cached token (the platform said it is no longer valid)."""
        self._token = None

    async def _exchange(self) -> AccessToken:
        form = {
            "client_id": self.creds.client_id,
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": client_assertion(self.creds, self.wall_clock()),
        }
        url = self.creds.token_url
        try:
            resp = await self.http.post(url, data=form)
        except httpx.HTTPError as err:
            raise PlatformError(
                grpc.StatusCode.UNAVAILABLE, f"cannot reach the token endpoint {url}: {type(err).__name__}: {err}"
            ) from None
        self.exchanges += 1
        token = self._parse(resp, url)
        log.debug(
            "access_token_issued", token_host=self.creds.token_host, expires_in_s=round(token.expires_at - self.clock())
        )
        return token

    def _parse(self, resp: httpx.Response, url: str) -> AccessToken:
        if resp.status_code != httpx.codes.OK:
            raise PlatformError(
                grpc.StatusCode.UNAUTHENTICATED,
                f"the token endpoint {url} refused the client credentials: HTTP {resp.status_code}"
                f"{_reason(resp)}; check --client-id and --client-secret",
            )
        try:
            body = resp.json()
            value = str(body.get("access_token") or "")
            token_type = str(body.get("token_type") or "")
            expires_in = float(body.get("expires_in") or 0)
        except (ValueError, AttributeError):
            raise PlatformError(
                grpc.StatusCode.UNAUTHENTICATED, f"the token endpoint {url} sent no JSON token"
            ) from None
        if not value:
            raise PlatformError(grpc.StatusCode.UNAUTHENTICATED, f"the token endpoint {url} sent an empty access token")
        return AccessToken(value, TOKEN_TYPES.get(token_type.lower(), token_type), self.clock() + expires_in)


def _reason(resp: httpx.Response) -> str:
    """The OAuth error fields if the body has them: they say why, and never echo our secret."""
    try:
        body = resp.json()
    except ValueError:
        return f" {resp.reason_phrase}"
    if not isinstance(body, dict):
        return f" {resp.reason_phrase}"
    parts = [str(body[k]) for k in ("error", "error_description") if body.get(k)]
    return f" {resp.reason_phrase}" + (f" ({': '.join(parts)[:MAX_ERROR_TEXT]})" if parts else "")


R = TypeVar("R")

DEFAULT_PORT = 443
RPC_TIMEOUT_SECONDS = 30.0
FINISH_TIMEOUT_SECONDS = 30.0


def api_target(host: str) -> str:
    """`host` or `host:port` as a gRPC target; without a port, ConductorOne's is 443."""
    name, port = split_host_port(host)
    if port:
        return host
    return f"[{name}]:{DEFAULT_PORT}" if ":" in name else f"{name}:{DEFAULT_PORT}"


def user_agent(client_name: str) -> str:
    return f"{client_name} baton-confluence/{__version__}"


class PlatformClient:
    """Typed BatonService calls; every failure is a PlatformError carrying the gRPC code."""

    def __init__(
        self,
        target: str,
        tokens: TokenSource,
        *,
        host_id: str,
        agent: str,
        root_certificates: bytes | None = None,
    ) -> None:
        self.target = target
        self.tokens = tokens
        self.host_id = host_id
        credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
        self._channel = grpc.aio.secure_channel(target, credentials, options=[("grpc.primary_user_agent", agent)])
        self._stub = pb.baton_grpc.BatonServiceStub(self._channel)

    async def close(self) -> None:
        await self._channel.close()

    async def hello(self, request: pb.baton.BatonServiceHelloRequest) -> None:
        request.host_id = self.host_id
        await self._call("Hello", self._stub.Hello, request)

    async def get_task(self) -> pb.baton.BatonServiceGetTaskResponse:
        """No deadline, as upstream: the platform may hold a poll open until it has work."""
        request = pb.baton.BatonServiceGetTaskRequest(host_id=self.host_id)
        return await self._call("GetTask", self._stub.GetTask, request, None)

    async def heartbeat(self, task_id: str) -> pb.baton.BatonServiceHeartbeatResponse:
        request = pb.baton.BatonServiceHeartbeatRequest(host_id=self.host_id, task_id=task_id)
        return await self._call("Heartbeat", self._stub.Heartbeat, request)

    async def finish_task(self, request: pb.baton.BatonServiceFinishTaskRequest) -> None:
        request.host_id = self.host_id
        await self._call("FinishTask", self._stub.FinishTask, request, FINISH_TIMEOUT_SECONDS)

    async def upload_asset(self, messages: AsyncIterator[pb.baton.BatonServiceUploadAssetRequest]) -> None:
        """One UploadAsset stream; no deadline, since a large c1z legitimately takes a while."""
        await self._call("UploadAsset", self._stub.UploadAsset, messages, None)

    async def _call(
        self, method: str, rpc: Callable[..., Awaitable[R]], request: Any, timeout: float | None = RPC_TIMEOUT_SECONDS
    ) -> R:
        metadata = (("authorization", await self.tokens.authorization()),)
        try:
            return await rpc(request, metadata=metadata, timeout=timeout)
        except grpc.aio.AioRpcError as err:
            code = err.code()
            if code == grpc.StatusCode.UNAUTHENTICATED:
                self.tokens.invalidate()  # the next call exchanges the credentials again
            raise PlatformError(code, f"{method} to {self.target} failed: {code.name}: {err.details()}") from None


CHUNK_BYTES = 512 * 1024
MAX_ATTEMPTS = 3

Upload = pb.baton.BatonServiceUploadAssetRequest


def file_sha256(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.digest()


async def upload_messages(path: Path, host_id: str, task_id: str, checksum: bytes) -> AsyncIterator[Upload]:
    yield Upload(metadata=Upload.UploadMetadata(host_id=host_id, task_id=task_id))
    with path.open("rb") as f:
        # Read lazily so a large c1z is never held in memory whole.
        while chunk := await asyncio.to_thread(f.read, CHUNK_BYTES):
            yield Upload(data=Upload.UploadData(data=chunk))
    yield Upload(eof=Upload.UploadEOF(sha256_checksum=checksum))


async def upload_c1z(platform: PlatformClient, task_id: str, path: Path) -> None:
    """Up to three attempts, waiting 0 s then 1 s between them; the last error is raised."""
    checksum = await asyncio.to_thread(file_sha256, path)
    size = path.stat().st_size
    for attempt in range(MAX_ATTEMPTS):
        try:
            await platform.upload_asset(upload_messages(path, platform.host_id, task_id, checksum))
        except PlatformError as err:
            if attempt == MAX_ATTEMPTS - 1:
                raise
            log.warning("upload_failed", task_id=task_id, attempt=attempt + 1, error=err.message)
            await asyncio.sleep(attempt)
            continue
        log.info("uploaded_c1z", task_id=task_id, bytes=size, sha256=checksum.hex())
        return
