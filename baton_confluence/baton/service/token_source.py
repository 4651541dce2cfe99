"""Access tokens for ConductorOne: the client assertion (`credentials.py`) exchanged at the token
endpoint, cached while fresh, renewed before it expires or when the platform refuses it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import grpc
import httpx
import structlog

from baton_confluence.baton.service.config import PlatformError
from baton_confluence.baton.service.credentials import ClientCredentials, client_assertion

log = structlog.get_logger("baton.service")


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
