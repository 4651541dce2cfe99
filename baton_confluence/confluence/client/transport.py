"""`ConfluenceHTTP`: one shared keep-alive connection pool to one Confluence site.

Every request goes through the site's `RequestGovernor` (concurrency, spacing, pauses), is
retried per `RetryPolicy`, counted in `stats`, logged at debug level without credentials, and
either returns a `JsonResponse` or raises a `ConnectorError` naming the endpoint and status.
Redirects are not followed: they would carry the credentials to another address, and on
Confluence they mean the base URL is wrong.

Through Atlassian's API gateway (docs/auth.md) the base URL is the gateway and `route` supplies the
`/ex/confluence/<cloudId>` prefix, found once before the first call; request paths, accounting and
messages stay the site's (`/wiki/...`). Renewable credentials (OAuth 2.0) are asked for their header
before every attempt and renewed when the API answers 401 (once per refused token).
"""

from __future__ import annotations

import asyncio
import json
import random
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import grpc
import httpx
import structlog

from baton_confluence import __version__
from baton_confluence.baton.errors import ConnectorError, RateLimitInfo
from baton_confluence.confluence.client.auth import Credentials, RenewableCredentials
from baton_confluence.confluence.client.errors import (
    PREFIX,
    bad_body_error,
    status_error,
    transport_error,
    unexpected_status_error,
)
from baton_confluence.confluence.client.gateway import GatewayRoute
from baton_confluence.confluence.client.governor import (
    Clock,
    GovernorSettings,
    RequestGovernor,
    Sleep,
    WallClock,
    utc_now,
)
from baton_confluence.confluence.client.proxy import environment_proxy
from baton_confluence.confluence.client.ratelimit import RATE_LIMIT_REASON, RateLimitHeaders
from baton_confluence.confluence.client.retry import RetryPolicy
from baton_confluence.confluence.client.stats import RequestStats
from baton_confluence.confluence.client.urls import (
    QueryParams,
    encode_params,
    safe_query,
    url_key,
    validate_base_url,
)

log = structlog.get_logger("baton_confluence.confluence.client")

USER_AGENT = f"baton-confluence/{__version__}"


@dataclass(frozen=True)
class JsonResponse:
    data: Any  # the decoded JSON, or None for an empty / non-JSON success body on a write
    headers: httpx.Headers
    status: int
    rate_limit: RateLimitInfo | None = None  # from the rate-limit headers, when there were any

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object, or {} when it is anything else (a lenient read: the site's
        answers are parsed into records field by field, each with its default)."""
        return self.data if isinstance(self.data, dict) else {}

    def results(self) -> list[dict[str, Any]]:
        """The objects of the body's `results` array (other entries skipped), [] without one."""
        found = self.json_object().get("results")
        return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


@dataclass(frozen=True)
class _Call:
    method: str
    path: str
    params: dict[str, str]
    expect: tuple[int, ...]
    body: Any = None
    has_body: bool = False
    idempotent: bool | None = None  # None: decided by the method

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}"


class _AttemptFailed(Exception):
    """One attempt failed; `build(attempts)` makes the error to raise if it is the last."""

    def __init__(
        self,
        build: Callable[[int], ConnectorError],
        retryable: bool,
        reason: str,
        cause: BaseException | None = None,
        rejected_authorization: str = "",
    ) -> None:
        super().__init__(reason)
        self.build = build
        self.retryable = retryable
        self.reason = reason
        self.cause = cause
        # The renewable credential a 401 refused (so that the client renews it once and retries).
        self.rejected_authorization = rejected_authorization


class ConfluenceHTTP:
    """Async JSON client for one Confluence site; share one instance across all tasks."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: Credentials,
        ca_cert: str | None = None,
        insecure_skip_verify: bool = False,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        max_concurrency: int = 8,
        max_rps: float | None = None,
        max_retry_after: float = 60.0,
        max_attempts: int = 6,
        governor: RequestGovernor | None = None,
        retry_policy: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall_clock: WallClock = utc_now,
        rng: random.Random | None = None,
        route: GatewayRoute | None = None,
    ) -> None:
        """Connect lazily to `base_url` (the site URL, including any context path).

        TLS: `ca_cert` is a PEM bundle that replaces the default roots (like curl --cacert);
        `insecure_skip_verify` disables verification, loudly. `governor` may be shared by several
        clients of one site; otherwise one is built from `max_concurrency`, `max_rps` and
        `max_retry_after`. `transport`, `clock`, `sleep`, `wall_clock` and `rng` are for tests.
        `route`: the gateway's path prefix when `base_url` is Atlassian's API gateway.
        """
        self.base_url = validate_base_url(base_url)
        self._host = httpx.URL(self.base_url).host
        self._proxy = environment_proxy(self.base_url)  # only to name it in errors; httpx applies it
        self._auth = auth
        self.route = route  # read by client/site_identity.py: through the gateway the route knows the cloudId
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._rng = rng or random.Random()
        self.governor = governor or RequestGovernor(
            GovernorSettings(max_concurrency=max_concurrency, max_rps=max_rps, max_retry_after=max_retry_after),
            clock=clock,
            sleep=sleep,
            wall_clock=wall_clock,
        )
        self.retry_policy = retry_policy or RetryPolicy(max_attempts=max_attempts)
        self.stats = RequestStats()
        pool = self.governor.settings.max_concurrency
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers=self._default_headers(),
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            verify=self._tls_verify(ca_cert, insecure_skip_verify),
            trust_env=True,  # honour HTTP(S)_PROXY, NO_PROXY, SSL_CERT_FILE
            follow_redirects=False,
            transport=transport,
        )

    # --- public API -------------------------------------------------------------------------
    async def get_json(self, path: str, params: QueryParams | None = None) -> JsonResponse:
        return await self._call(_Call("GET", path, encode_params(params), expect=(200,)))

    async def post_json(
        self,
        path: str,
        json: Any,
        params: QueryParams | None = None,
        *,
        expect: tuple[int, ...] = (200, 201, 204),
        idempotent: bool | None = None,
    ) -> JsonResponse:
        """POST a JSON body. `idempotent=True` vouches that replaying it is harmless (a "set")."""
        call = _Call("POST", path, encode_params(params), expect, json, True, idempotent)
        return await self._call(call)

    async def put_json(
        self, path: str, json: Any, params: QueryParams | None = None, *, expect: tuple[int, ...] = (200, 201, 204)
    ) -> JsonResponse:
        return await self._call(_Call("PUT", path, encode_params(params), expect, json, True))

    async def delete(
        self, path: str, params: QueryParams | None = None, *, expect: tuple[int, ...] = (200, 202, 204)
    ) -> JsonResponse:
        return await self._call(_Call("DELETE", path, encode_params(params), expect))

    async def aclose(self) -> None:
        await self._client.aclose()
        if isinstance(self._auth, RenewableCredentials):
            await self._auth.aclose()

    async def __aenter__(self) -> ConfluenceHTTP:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never appear in logs or messages (for `redact`)."""
        return self._auth.secrets

    # --- set-up -----------------------------------------------------------------------------
    def _default_headers(self) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            # Without it, Confluence rejects writes with 403 "XSRF check failed".
            "X-Atlassian-Token": "no-check",
            "User-Agent": USER_AGENT,
        }
        if not isinstance(self._auth, RenewableCredentials):
            headers["Authorization"] = self._auth.header
        return headers

    def _tls_verify(self, ca_cert: str | None, insecure: bool) -> ssl.SSLContext | bool:
        return tls_verify(ca_cert, insecure, self._host)

    # --- one call, several attempts ---------------------------------------------------------
    async def _call(self, call: _Call) -> JsonResponse:
        self.stats.record_call(url_key(call.method, call.path, call.params))
        attempt = 1
        refused: set[str] = set()
        while True:
            try:
                return await self._attempt(call, attempt)
            except _AttemptFailed as failure:
                rejected = failure.rejected_authorization
                if (
                    rejected
                    and rejected not in refused
                    and (not refused or attempt < self.retry_policy.max_attempts)
                    and isinstance(self._auth, RenewableCredentials)
                ):
                    # The token expired early or was revoked: renew it and try again at once. Once
                    # per refused token, not once per call: with many calls in flight, the token a
                    # call renewed to can itself run out before that call's retry reaches the site
                    # (tests/e2e/test_gateway_auth.py); max_attempts bounds a token that is always refused.
                    refused.add(rejected)
                    log.info("confluence_token_rejected", method=call.method, path=call.path, attempt=attempt)
                    await self._auth.renew(failure.rejected_authorization)
                    attempt += 1
                    continue
                if not failure.retryable or attempt >= self.retry_policy.max_attempts:
                    raise failure.build(attempt) from failure.cause
                delay = self.retry_policy.backoff(attempt, self._rng)
                log.warning(
                    "confluence_request_retry",
                    method=call.method,
                    path=call.path,
                    attempt=attempt,
                    reason=failure.reason,
                    delay_s=round(delay, 3),
                )
                await self._sleep(delay)
                attempt += 1

    async def _attempt(self, call: _Call, attempt: int) -> JsonResponse:
        self.stats.record_attempt(retry=attempt > 1)
        # Before taking a slot: minting a token or finding the cloudId may take a request of its own.
        path = call.path if self.route is None else await self.route.prefix() + call.path
        authorization = await self._auth.authorization() if isinstance(self._auth, RenewableCredentials) else ""
        async with self.governor.slot():
            started = time.perf_counter()
            try:
                response = await self._send(call, path, authorization)
            except httpx.TransportError as exc:
                self.stats.record_transport_error()
                self._log(call, attempt, started, status=None, error=type(exc).__name__)
                raise self._transport_failure(call, exc) from exc
            headers = RateLimitHeaders.parse(response.headers, self._wall_clock())
            self.governor.observe(response.status_code, headers)
        self.stats.record_status(response.status_code, response.headers.get(RATE_LIMIT_REASON, ""))
        self._log(call, attempt, started, status=response.status_code)
        if response.status_code == 401 and authorization:
            failure = self._status_failure(call, response, headers)
            failure.rejected_authorization = authorization
            raise failure
        return self._interpret(call, response, headers)

    async def _send(self, call: _Call, path: str, authorization: str) -> httpx.Response:
        headers = {"Authorization": authorization} if authorization else None
        if call.has_body:
            return await self._client.request(call.method, path, params=call.params, json=call.body, headers=headers)
        return await self._client.request(call.method, path, params=call.params, headers=headers)

    def _log(self, call: _Call, attempt: int, started: float, *, status: int | None, error: str = "") -> None:
        log.debug(
            "confluence_request",
            method=call.method,
            path=call.path,
            query=safe_query(call.params),
            status=status,
            ms=round((time.perf_counter() - started) * 1000, 1),
            attempt=attempt,
            **({"error": error} if error else {}),
        )

    # --- classifying an outcome -------------------------------------------------------------
    def _interpret(self, call: _Call, response: httpx.Response, headers: RateLimitHeaders) -> JsonResponse:
        status = response.status_code
        if not 200 <= status < 300:
            raise self._status_failure(call, response, headers)
        if status not in call.expect:
            raise _AttemptFailed(
                lambda _n: unexpected_status_error(call.endpoint, status, call.expect), False, f"HTTP {status}"
            )
        info = self._rate_info(headers, overlimit=False) if headers.present else None
        return JsonResponse(self._decode(call, response), response.headers, status, info)

    def _decode(self, call: _Call, response: httpx.Response) -> Any:
        """The body's JSON. Reads must return JSON; for writes the status is what counts."""
        body = response.content
        if response.status_code == 204 or (call.method != "GET" and not body.strip()):
            return None
        try:
            return json.loads(body)
        except ValueError as exc:
            if call.method != "GET":
                # Confluence answers some writes (add group member: 201) with an empty or
                # non-JSON body; the write succeeded, so failing here would report a false error.
                return None
            problem = "an empty body" if not body.strip() else f"invalid or truncated JSON ({len(body)} bytes)"
            retryable = self.retry_policy.retry_bad_body(call.method, idempotent=call.idempotent)
            raise _AttemptFailed(
                lambda n: bad_body_error(call.endpoint, problem, status=response.status_code, attempts=n),
                retryable,
                problem,
                exc,
            ) from exc

    def _status_failure(self, call: _Call, response: httpx.Response, headers: RateLimitHeaders) -> _AttemptFailed:
        status = response.status_code
        overlimit = status == 429
        info = self._rate_info(headers, overlimit=overlimit) if overlimit or headers.present else None
        retryable = self.retry_policy.retry_status(call.method, status, idempotent=call.idempotent)

        def build(attempts: int) -> ConnectorError:
            return status_error(
                call.endpoint,
                response,
                attempts=attempts,
                secrets=self.secrets,
                auth_hint=self._auth.hint,
                rate_limit=info,
                oauth=isinstance(self._auth, RenewableCredentials),
            )

        return _AttemptFailed(build, retryable, f"HTTP {status}")

    def _transport_failure(self, call: _Call, exc: httpx.TransportError) -> _AttemptFailed:
        retryable = self.retry_policy.retry_error(call.method, exc, idempotent=call.idempotent)

        def build(attempts: int) -> ConnectorError:
            return transport_error(
                call.endpoint, self._host, exc, attempts=attempts, secrets=self.secrets, proxy=self._proxy
            )

        return _AttemptFailed(build, retryable, type(exc).__name__, exc)

    def _rate_info(self, headers: RateLimitHeaders, *, overlimit: bool) -> RateLimitInfo:
        return headers.to_info(self._wall_clock(), overlimit=overlimit, max_wait=self.governor.settings.max_retry_after)


def tls_verify(ca_cert: str | None, insecure: bool, host: str) -> ssl.SSLContext | bool:
    """httpx's `verify` for `--ca-cert` / `--insecure-skip-verify` (shared with the token service
    and cloudId discovery clients, which must trust the same CA)."""
    if insecure:
        log.warning(
            "confluence_tls_verification_disabled",
            host=host,
            detail="--insecure-skip-verify: certificates are NOT checked; anyone on the path can "
            "read the API token. Use --ca-cert for a private CA instead.",
            ca_cert_ignored=bool(ca_cert),
        )
        return False
    if not ca_cert:
        return True
    try:
        return ssl.create_default_context(cafile=ca_cert)
    except (OSError, ssl.SSLError) as exc:
        raise ConnectorError(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"{PREFIX}: cannot load --ca-cert {ca_cert!r} ({exc}); expected a PEM file of CA certificates",
        ) from exc


async def found_or_none(request: Awaitable[JsonResponse]) -> dict[str, Any] | None:
    """The object a by-id GET returns, or None when the site says it does not exist (404)."""
    try:
        response = await request
    except ConnectorError as err:
        if err.code == grpc.StatusCode.NOT_FOUND:
            return None
        raise
    return response.json_object()
