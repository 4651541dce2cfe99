"""The simulated Atlassian token service (`POST /oauth/token`) and the tokens it has issued.

- `client_credentials` (service accounts): the client id and secret give a Bearer access token
  (`expires_in` = `GatewaySpec.access_token_lifetime_s`), no refresh token; a wrong secret gets 401
  `access_denied`.
- `refresh_token` (3LO): the current refresh token of a chain gives an access token and a NEW
  refresh token; the old one is spent. Presenting a spent one again revokes the whole chain (every
  refresh and access token issued from it) and gets 403 `invalid_grant`, as does a token of an
  ended chain (`end_chains`, the 90-day / 365-day limits).
Bodies are accepted as JSON (Atlassian's examples) or form-encoded (RFC 6749), or only one of them
(`GatewaySpec.token_body`; the other gets 415).
Access tokens also end after `access_token_max_uses` gateway calls when set (FACTS.md §Gateway).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from confluence_simulator.errors import ApiError
from confluence_simulator.gateway_spec import GatewaySpec
from confluence_simulator.routing import Request, Response, json_response

GRANT_CLIENT_CREDENTIALS = "client_credentials"
GRANT_REFRESH_TOKEN = "refresh_token"
KIND_SERVICE_ACCOUNT = "client_credentials"
KIND_3LO = "3lo"


@dataclass
class _Access:
    kind: str
    chain: int | None
    expires_at: float
    uses_left: int | None


class TokenService:
    def __init__(self, spec: GatewaySpec, clock: Callable[[], float] = time.monotonic) -> None:
        self.spec = spec
        self._clock = clock
        self._lock = threading.Lock()
        self._serial = itertools.count(1)
        self._access: dict[str, _Access] = {}
        self._refresh_chain: dict[str, int] = {spec.refresh_token: 0}  # every refresh token ever issued
        self._current_refresh: dict[int, str] = {0: spec.refresh_token}  # chain -> its one valid token
        self._revoked_chains: set[int] = set()
        self.minted: dict[str, int] = {KIND_SERVICE_ACCOUNT: 0, KIND_3LO: 0}
        self.refused = 0
        self.reuse_detected = 0
        self.expired_uses = 0  # calls refused because the token had aged (time or uses)

    # --- the endpoint -----------------------------------------------------------------------------
    def token(self, req: Request) -> Response:
        is_json = "json" in (req.header("content-type") or "")
        if self.spec.token_body != "any" and (self.spec.token_body == "json") != is_json:
            raise ApiError(415, "Unsupported Media Type", json_body={"message": "Unsupported Media Type"})
        form = _body(req)
        grant = form.get("grant_type", "")
        if form.get("client_id") != self.spec.oauth_client_id or form.get("client_secret") != self.spec.oauth_client_secret:
            self._refuse(401, "access_denied", "Unauthorized")
        if grant == GRANT_CLIENT_CREDENTIALS:
            return json_response(200, self._issue(KIND_SERVICE_ACCOUNT, None))
        if grant == GRANT_REFRESH_TOKEN:
            return json_response(200, self._refresh(form.get("refresh_token", "")))
        self._refuse(400, "unsupported_grant_type", f"grant_type {grant!r} is not supported")
        raise AssertionError("unreachable")

    # --- for the gateway -----------------------------------------------------------------------------
    def access_kind(self, token: str) -> str | None:
        """The kind of a live access token (one use spent), or None when it is unknown or has aged."""
        with self._lock:
            access = self._access.get(token)
            if access is None:
                return None
            if (access.chain is not None and access.chain in self._revoked_chains) or self._clock() >= access.expires_at:
                self.expired_uses += 1
                return None
            if access.uses_left is not None:
                if access.uses_left <= 0:
                    self.expired_uses += 1
                    return None
                access.uses_left -= 1
            return access.kind

    # --- for tests ----------------------------------------------------------------------------------
    @property
    def current_refresh_token(self) -> str:
        with self._lock:
            return self._current_refresh.get(0, "")

    def end_chains(self) -> None:
        """Every refresh chain has run out (unused for 90 days, or 365 days old)."""
        with self._lock:
            self._revoked_chains.update(self._current_refresh)

    # --- internals ------------------------------------------------------------------------------------
    def _refresh(self, presented: str) -> dict[str, Any]:
        with self._lock:
            chain = self._refresh_chain.get(presented)
            if chain is None or chain in self._revoked_chains:
                problem = "unknown or ended refresh token"
            elif self._current_refresh.get(chain) != presented:
                # A spent token came back: someone else may hold the chain, so all of it is revoked.
                self._revoked_chains.add(chain)
                self.reuse_detected += 1
                problem = "refresh token reused; the chain is revoked"
            else:
                fresh = f"simulated-refresh-token-{next(self._serial)}"
                self._refresh_chain[fresh] = chain
                self._current_refresh[chain] = fresh
                answer = self._issue_locked(KIND_3LO, chain)
                answer["refresh_token"] = fresh
                return answer
        self._refuse(403, "invalid_grant", problem)
        raise AssertionError("unreachable")

    def _issue(self, kind: str, chain: int | None) -> dict[str, Any]:
        with self._lock:
            return self._issue_locked(kind, chain)

    def _issue_locked(self, kind: str, chain: int | None) -> dict[str, Any]:
        value = f"simulated-access-{kind}-{next(self._serial)}"
        lifetime = self.spec.access_token_lifetime_s
        self._access[value] = _Access(kind, chain, self._clock() + lifetime, self.spec.access_token_max_uses)
        self.minted[kind] += 1
        scopes = " ".join(sorted(self.spec.granted_scopes)) if self.spec.granted_scopes is not None else ""
        return {"access_token": value, "token_type": "Bearer", "expires_in": lifetime, "scope": scopes}

    def _refuse(self, status: int, error: str, description: str) -> None:
        with self._lock:
            self.refused += 1
        raise ApiError(status, description, json_body={"error": error, "error_description": description})


def _body(req: Request) -> dict[str, str]:
    text = req.body.decode("utf-8", errors="replace")
    if "json" in (req.header("content-type") or ""):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return dict(parse_qsl(text, keep_blank_values=True))
