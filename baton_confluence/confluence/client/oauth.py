"""OAuth 2.0 access tokens for the API gateway, minted at Atlassian's token service (docs/auth.md).

Two grants, one token endpoint (`POST <auth-url>/oauth/token`, a JSON body as in Atlassian's
examples; after a 415 the same fields form-encoded, as RFC 6749 has them):

- client credentials (service accounts): `grant_type=client_credentials` with the client id and
  secret and `audience=api.atlassian.com`; answers a Bearer token (60 minutes) and no refresh token;
- refresh token (3LO apps): `grant_type=refresh_token` with the client id, secret and the refresh
  token from `--oauth-refresh-token-file`; answers an access token and a NEW refresh token, which
  is written to the file (atomically, client/token_file.py) before the access token is handed out.

`OAuthCredentials` is the client's `RenewableCredentials`: the first call mints a token, later calls
reuse it until `RENEW_MARGIN_S` (or a quarter of its lifetime, when shorter) before it expires, and a
401 from the API renews it once. One asyncio lock makes every renewal single flight: tasks that find
the token stale while another task renews it wait and then use the new one.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import grpc
import httpx
import structlog

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client.errors import PREFIX
from baton_confluence.confluence.client.redact import redact
from baton_confluence.confluence.client.side_requests import SIDE_ATTEMPTS, send_with_retries
from baton_confluence.confluence.client.token_file import FLAG as TOKEN_FILE_FLAG
from baton_confluence.confluence.client.token_file import RefreshTokenFile

log = structlog.get_logger("baton_confluence.confluence.client.oauth")

DEFAULT_AUTH_URL = "https://auth.atlassian.com"
TOKEN_PATH = "/oauth/token"
GATEWAY_AUDIENCE = "api.atlassian.com"
RENEW_MARGIN_S = 300.0  # renew this long before expiry (at most a quarter of the lifetime)
DEFAULT_LIFETIME_S = 3600.0  # when the answer has no usable expires_in
_KEPT_SECRETS = 4  # previous tokens still scrubbed from messages (a late log line may name one)

CLIENT_FLAGS = "--oauth-client-id/--oauth-client-secret (BATON_OAUTH_CLIENT_ID, BATON_OAUTH_CLIENT_SECRET)"


class TokenGrant(Protocol):
    """How one kind of grant asks for a token and takes the answer."""

    def request_body(self) -> dict[str, str]: ...

    def accept(self, answer: dict[str, Any]) -> None:
        """Called with a successful answer before its access token is used (3LO saves the rotated
        refresh token here)."""

    def refused(self, error: str, description: str) -> str:
        """The one-line message (after the prefix) for a token request the service refused."""

    @property
    def secrets(self) -> tuple[str, ...]: ...


@dataclass
class ClientCredentialsGrant:
    client_id: str
    client_secret: str = field(repr=False)

    def request_body(self) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "audience": GATEWAY_AUDIENCE,
        }

    def accept(self, answer: dict[str, Any]) -> None:
        return None

    def refused(self, error: str, description: str) -> str:
        return (
            f"the Atlassian token service refused the OAuth 2.0 client credentials ({_reason(error, description)}); "
            f"check {CLIENT_FLAGS}: the service account's credential may have been deleted or its secret rotated"
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.client_secret,)


@dataclass
class RefreshTokenGrant:
    client_id: str
    client_secret: str = field(repr=False)
    token_file: RefreshTokenFile = field(repr=False)
    _current: str = field(default="", repr=False)
    _previous: deque[str] = field(default_factory=lambda: deque(maxlen=_KEPT_SECRETS), repr=False)

    def request_body(self) -> dict[str, str]:
        if not self._current:
            self._current = self.token_file.read()
        return {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": self._current,
        }

    def accept(self, answer: dict[str, Any]) -> None:
        rotated = answer.get("refresh_token")
        if isinstance(rotated, str) and rotated and rotated != self._current:
            self.token_file.replace(rotated)  # before the access token is used: the old one is now spent
            self._previous.append(self._current)
            self._current = rotated
            log.info("confluence_refresh_token_rotated", file=str(self.token_file.path))

    def refused(self, error: str, description: str) -> str:
        path = str(self.token_file.path)
        if error == "invalid_grant":
            return (
                f"the refresh token in {TOKEN_FILE_FLAG} {path!r} is no longer valid ({_reason(error, description)}): "
                "the chain ends after 90 days unused or 365 days in all, and reusing a rotated token revokes it; "
                f"authorise the app again and write the new refresh token to {path!r} (docs/auth.md)"
            )
        return (
            f"the Atlassian token service refused to refresh the token in {path!r} ({_reason(error, description)}); "
            f"check {CLIENT_FLAGS}"
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.client_secret, self._current, *self._previous)


def _reason(error: str, description: str) -> str:
    return ": ".join(part for part in (error, description) if part) or "no reason given"


@dataclass(frozen=True)
class _AccessToken:
    value: str = field(repr=False)
    renew_at: float  # monotonic time after which it is renewed before use


class OAuthCredentials:
    """Bearer access tokens from `grant`, renewed ahead of expiry and on 401 (single flight)."""

    def __init__(
        self,
        grant: TokenGrant,
        *,
        auth_url: str,
        side_client: Callable[[], httpx.AsyncClient],
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.grant = grant
        self.token_url = auth_url.rstrip("/") + TOKEN_PATH
        self._side_client = side_client
        self._clock = clock
        self._sleep = sleep
        self._token: _AccessToken | None = None
        self._old_tokens: deque[str] = deque(maxlen=_KEPT_SECRETS)
        self._lock = asyncio.Lock()
        self._form_body = False  # set when the service refused a JSON body (415): form from then on
        self.minted = 0  # token requests answered with a token (for tests and logs)

    # --- RenewableCredentials ---------------------------------------------------------------
    async def authorization(self) -> str:
        token = self._token
        if token is None or self._clock() >= token.renew_at:
            token = await self._mint(stale=token)
        return "Bearer " + token.value

    async def renew(self, rejected: str) -> None:
        token = self._token
        if token is not None and "Bearer " + token.value != rejected:
            return  # another task has already replaced the rejected token
        await self._mint(stale=token)

    @property
    def secrets(self) -> tuple[str, ...]:
        current = (self._token.value,) if self._token is not None else ()
        return (*self.grant.secrets, *current, *self._old_tokens)

    @property
    def hint(self) -> str:
        return (
            "the OAuth 2.0 access token was refused: check that the credential has the scopes this call needs "
            "(docs/auth.md) and that the account may use the site"
        )

    async def aclose(self) -> None:
        return None

    # --- minting ----------------------------------------------------------------------------
    async def _mint(self, *, stale: _AccessToken | None) -> _AccessToken:
        async with self._lock:
            current = self._token
            if current is not None and current is not stale and self._clock() < current.renew_at:
                return current  # renewed while this task waited for the lock
            answer = await self._request()
            value = answer.get("access_token")
            if not isinstance(value, str) or not value:
                raise ConnectorError(
                    grpc.StatusCode.UNAUTHENTICATED,
                    f"{PREFIX}: POST {self.token_url}: the answer has no access_token",
                )
            self.grant.accept(answer)
            lifetime = _lifetime(answer.get("expires_in"))
            token = _AccessToken(value, self._clock() + lifetime - min(RENEW_MARGIN_S, lifetime / 4))
            if current is not None:
                self._old_tokens.append(current.value)
            self._token = token
            self.minted += 1
            log.info("confluence_oauth_token", lifetime_s=round(lifetime, 1), grant=type(self.grant).__name__)
            return token

    async def _request(self) -> dict[str, Any]:
        endpoint = f"POST {self.token_url}"
        response = await send_with_retries(self._post, endpoint=endpoint, fix="check --atlassian-auth-url", sleep=self._sleep)
        if response.status_code != 200:
            raise self._refusal(endpoint, response)
        body = _json(response)
        if not isinstance(body, dict):
            raise ConnectorError(grpc.StatusCode.UNAVAILABLE, f"{PREFIX}: {endpoint}: the answer is not JSON")
        return body

    async def _post(self) -> httpx.Response:
        response = await self._post_as(form=self._form_body)
        if response.status_code == 415 and not self._form_body:
            self._form_body = True  # the body format is not promised: the other one from now on
            log.info("confluence_oauth_form_body", detail="the token service refused JSON; sending a form")
            response = await self._post_as(form=True)
        return response

    async def _post_as(self, *, form: bool) -> httpx.Response:
        body = self.grant.request_body()
        async with self._side_client() as client:
            if form:
                return await client.post(self.token_url, data=body)
            return await client.post(self.token_url, json=body)

    def _refusal(self, endpoint: str, response: httpx.Response) -> ConnectorError:
        status = response.status_code
        body = _json(response)
        error = body.get("error") if isinstance(body, dict) else None
        description = body.get("error_description") if isinstance(body, dict) else None
        if status == 429 or status >= 500:
            message = f"{PREFIX}: {endpoint}: HTTP {status} after {SIDE_ATTEMPTS} attempts"
            return ConnectorError(grpc.StatusCode.UNAVAILABLE, message)
        text = self.grant.refused(str(error or f"HTTP {status}"), str(description or ""))
        return ConnectorError(grpc.StatusCode.UNAUTHENTICATED, redact(f"{PREFIX}: {text}", self.secrets))


def _lifetime(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return DEFAULT_LIFETIME_S


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
