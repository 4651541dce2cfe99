"""The simulated Atlassian API gateway and token service: a second listener sharing the site's state.

    with SimulatedSite(spec) as site, SimulatedGateway(site) as gateway:
        # site.url     the site (answers scoped and Bearer credentials with 401)
        # gateway.url  https://api.atlassian.com and https://auth.atlassian.com in one

Paths served (FACTS.md §Gateway):
- `POST /oauth/token` and `GET /oauth/token/accessible-resources` (token_service.py);
- `/ex/confluence/<cloudId>/wiki/...`: the site's API, for scoped API tokens (basic auth) and OAuth
  2.0 access tokens. Past the gateway's own checks (credential, scope, 410 switch) the request runs
  through the site's pipeline with the prefix removed, so links in the answers point at the site
  (`_links.base`) or drop the prefix (`_links.next`), as reported for the real gateway.
The site's `/_edge/tenant_info` (no credential) publishes the cloudId.
Both listeners record each request's credential kind (`SiteStats.credentials`), so a test can prove
that no scoped or Bearer credential ever reached the site.
"""

from __future__ import annotations

import re
import threading
from types import TracebackType
from typing import ClassVar

from confluence_simulator.credential_kinds import (
    CREDENTIAL_BEARER,
    CREDENTIAL_SCOPED,
    LISTENER_GATEWAY,
    credential_kind,
)
from confluence_simulator.errors import STYLE_V2, ApiError, render_error
from confluence_simulator.gateway_scopes import scopes_for
from confluence_simulator.gateway_spec import SCOPE_MISMATCH_MESSAGE, GatewaySpec
from confluence_simulator.routing import Request, Response, json_response
from confluence_simulator.server import SimulatedSite, _Handler, _Server, serve_in_thread
from confluence_simulator.site_global import cloud_id_of
from confluence_simulator.token_service import TokenService

_PREFIX = re.compile(r"^/ex/confluence/(?P<cloud>[^/]+)(?P<rest>/.*)$")
_V1 = "/wiki/rest/api"
DECOY_SITE = {"id": "0f0e0d0c-other-site", "url": "https://another-site.atlassian.net", "name": "another-site"}


class _GatewayHandler(_Handler):
    gateway: ClassVar[SimulatedGateway]

    def _counted_target(self) -> str:
        # Counted as the site's own path, so that request counts compare across credential kinds.
        path, sep, query = self.path.partition("?")
        inner = _PREFIX.match(path)
        return inner.group("rest") + sep + query if inner else self.path

    def _answer(self, request: Request) -> Response | object:
        return self.gateway.handle(request)


class SimulatedGateway:
    def __init__(self, site: SimulatedSite, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self.tokens = TokenService(site.spec.gateway)
        self.url = ""
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def spec(self) -> GatewaySpec:
        return self.site.spec.gateway

    @property
    def cloud_id(self) -> str:
        """The site's one cloudId (site_global.py), as its `/_edge/tenant_info` publishes it."""
        return cloud_id_of(self.site.spec)

    @property
    def confluence_url(self) -> str:
        """The gateway base a client may be given as its domain URL."""
        return f"{self.url}/ex/confluence/{self.cloud_id}"

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> str:
        if self._server is not None:
            return self.url
        handler = type("GatewayHandler", (_GatewayHandler,), {"site": self.site, "gateway": self})
        self._server, self._thread, self.url = serve_in_thread(self._host, self._port, handler, "simulated-gateway")
        return self.url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> SimulatedGateway:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- requests ----------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response | object:
        kind = credential_kind(self.site.spec, req.header("authorization"))
        self.site.stats.credential(LISTENER_GATEWAY, kind)
        try:
            if req.path == "/oauth/token" and req.method == "POST":
                return self.tokens.token(req)
            if req.path == "/oauth/token/accessible-resources" and req.method == "GET":
                return self._accessible_resources(req)
            inner = _PREFIX.match(req.path)
            if inner is None or inner.group("cloud") != self.cloud_id:
                raise ApiError(404, "Not Found", json_body={"code": 404, "message": "Not Found"})
            rest = inner.group("rest")
            oauth = self._authenticate(req, kind)
            self._check_scope(req.method, rest)
            if oauth and any(_gone(rest, entry) for entry in self.spec.v1_gone_for_oauth):
                raise ApiError(410, "Gone", json_body={"code": 410, "message": "This endpoint has been removed"})
        except ApiError as error:
            body, content_type = render_error(STYLE_V2, error)
            return Response(error.status, body, content_type, dict(error.headers))
        forwarded = Request(req.method, rest, req.raw_query, req.headers, req.body, self.site.url, authenticated=True)
        verdict = self.site._pipeline(forwarded)
        if oauth and isinstance(verdict, Response) and verdict.status == 429:
            verdict.headers.setdefault("RateLimit-Reason", self.spec.oauth_rate_limit_reason)
        return verdict

    def _authenticate(self, req: Request, kind: str) -> bool:
        """True for an OAuth 2.0 token, False for a scoped API token; 401 for anything else."""
        if kind == CREDENTIAL_SCOPED:
            return False
        if kind == CREDENTIAL_BEARER:
            token = (req.header("authorization") or "").partition(" ")[2].strip()
            if self.tokens.access_kind(token) is not None:
                return True
        raise ApiError(401, "Unauthorized", json_body={"code": 401, "message": "Unauthorized"})

    def _check_scope(self, method: str, path: str) -> None:
        granted = self.spec.granted_scopes
        wanted = scopes_for(method, path)
        if granted is not None and wanted and not wanted & granted:
            raise ApiError(401, SCOPE_MISMATCH_MESSAGE, json_body={"code": 401, "message": SCOPE_MISMATCH_MESSAGE})

    def _accessible_resources(self, req: Request) -> Response:
        token = (req.header("authorization") or "").partition(" ")[2].strip()
        if credential_kind(self.site.spec, req.header("authorization")) != CREDENTIAL_BEARER or (
            self.tokens.access_kind(token) is None
        ):
            raise ApiError(401, "Unauthorized", json_body={"code": 401, "message": "Unauthorized"})
        scopes = sorted(self.spec.granted_scopes) if self.spec.granted_scopes is not None else []
        sites = [
            {**DECOY_SITE, "scopes": scopes, "avatarUrl": ""},
            {"id": self.cloud_id, "url": self.site.url, "name": "simulated", "scopes": scopes, "avatarUrl": ""},
        ]
        return json_response(200, sites)


def _gone(path: str, entry: str) -> bool:
    """`entry` names one v1 path (`/user`), or with a trailing slash every path under it (`/space/`)."""
    full = _V1 + entry
    return path.startswith(full) if entry.endswith("/") else path == full
