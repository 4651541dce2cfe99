"""HTTP plumbing of the simulated site: stdlib server, keep-alive, and the per-request pipeline.

Pipeline, in the order a real Cloud edge applies it:
  latency -> rate limit (429) -> injected fault -> authentication (401, the flavour's rules)
  -> route (404/405) -> denied family (403/404) -> handler -> optional one-off truncation.
Every answer has a Content-Length (HTTP/1.1 keep-alive), is written in one send (no Nagle
stalls), and nothing is logged to stderr.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
import traceback
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar

from confluence_simulator.cloud_routes import CLOUD
from confluence_simulator.credential_kinds import LISTENER_SITE, credential_kind
from confluence_simulator.errors import ApiError, render_error
from confluence_simulator.faults import (
    FAULT_429,
    FAULT_429_RETRY_AFTER,
    FAULT_503,
    FAULT_503_RETRY_AFTER,
    FAULT_RESET,
    FAULT_SLOW,
    FAULT_TRUNCATE,
    FaultInjector,
)
from confluence_simulator.flavor import Flavor
from confluence_simulator.generator import generate
from confluence_simulator.ratelimit import TokenBucket, rate_limited_headers
from confluence_simulator.routing import Request, Response
from confluence_simulator.spec import SiteSpec
from confluence_simulator.state import SiteState
from confluence_simulator.stats import SiteStats

_RESET = object()  # pipeline verdict: drop the connection without answering
_REASONS = {
    200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
    403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 413: "Payload Too Large",
    415: "Unsupported Media Type", 429: "Too Many Requests", 500: "Internal Server Error",
    503: "Service Unavailable",
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # listen backlog: well above 64 clients connecting at once
    tls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.tls is None:
            return sock, address
        # The handshake runs in the connection's own thread (`_Handler.setup`), so one client that
        # rejects our certificate cannot stall the accept loop.
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients going away mid-request (and injected resets) are normal here: stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 300  # an idle keep-alive connection frees its thread after five minutes
    site: ClassVar[SimulatedSite]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(30)
            self.request.do_handshake()  # a refused handshake ends this connection here, quietly
        super().setup()
        self.site._track(self.connection, True)

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().finish()
        self.site._track(self.connection, False)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def _serve(self) -> None:
        site = self.site
        site.stats.begin(self.command, self._counted_target())
        status: int | None = None
        try:
            body = self._read_body()
            path, _, raw_query = self.path.partition("?")
            request = Request(
                method=self.command,
                path=path,
                raw_query=raw_query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                base_url=site.url,
            )
            verdict = self._answer(request)
            if verdict is _RESET:
                self._reset()
                return
            assert isinstance(verdict, Response)
            status = verdict.status
            self._send(verdict)
        finally:
            site.stats.end(status)

    def _counted_target(self) -> str:
        """The request target as `SiteStats` counts it (the gateway counts the site's path)."""
        return self.path

    def _answer(self, request: Request) -> Response | object:
        """The site's answer (or `_RESET`); the gateway's listener overrides this."""
        site = self.site
        site.stats.credential(LISTENER_SITE, credential_kind(site.spec, request.header("authorization")))
        return site._pipeline(request)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            # Streaming clients send chunked bodies; unread chunks would poison the keep-alive stream.
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline(65537).split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, response: Response) -> None:
        lines = [
            f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Status')}",
            f"Date: {formatdate(usegmt=True)}",
            "Server: simulated-confluence",
            f"Content-Length: {len(response.body)}",
        ]
        if response.content_type is not None:
            lines.append(f"Content-Type: {response.content_type}")
        lines.extend(f"{name}: {value}" for name, value in response.headers.items())
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        payload = head if self.command == "HEAD" else head + response.body
        self.wfile.write(payload)

    def _reset(self) -> None:
        # SO_LINGER 0 turns close() into a TCP RST: the client sees "connection reset".
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()


def serve_in_thread(
    host: str, port: int, handler: type[_Handler], name: str, *, tls: ssl.SSLContext | None = None
) -> tuple[_Server, threading.Thread, str]:
    """A listener bound to (host, port) serving `handler` in a daemon thread, and its root URL."""
    server = _Server((host, port), handler)
    server.tls = tls
    bound_host, bound_port = server.server_address[:2]
    url = f"{'https' if tls else 'http'}://{bound_host!s}:{bound_port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"{name}:{bound_port}", daemon=True
    )
    thread.start()
    return server, thread, url


class SimulatedSite:
    """A Confluence site (Cloud, or Data Center with `flavor=datacenter_flavor()`) on 127.0.0.1.

    `state` is the live data (writes through the API change it); `stats` counts requests.
    `tls` serves HTTPS with the given server context (certificate chain loaded by the caller).
    `site_url` is what a client configures: `url` plus the flavour's context path.
    """

    def __init__(
        self,
        spec: SiteSpec | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        flavor: Flavor = CLOUD,
        tls: ssl.SSLContext | None = None,
        state: SiteState | None = None,
    ) -> None:
        self.spec = spec or SiteSpec()
        self.flavor = flavor
        # A given state is shared with another server (the org admin API beside its site).
        self.state: SiteState = state if state is not None else generate(self.spec)
        self.stats = SiteStats()
        self.router = flavor.build_router(self.state, self.spec)
        self.url = ""
        self.internal_errors: list[str] = []  # tracebacks of handler bugs (answered with 500)
        self._host = host
        self._port = port
        self._tls = tls
        self._bucket = (
            TokenBucket(self.spec.rate_limit_rps, flavor.rate_style, warns=self.spec.rate_limit_warns)
            if self.spec.rate_limit_rps
            else None
        )
        self._faults = FaultInjector(self.spec.faults)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> str:
        """Bind, serve in a daemon thread, and return the root URL (http[s]://127.0.0.1:PORT)."""
        if self._server is not None:
            return self.url
        handler = type("SiteHandler", (_Handler,), {"site": self})
        self._server, self._thread, self.url = serve_in_thread(
            self._host, self._port, handler, "simulated-confluence", tls=self._tls
        )
        return self.url

    @property
    def site_url(self) -> str:
        """The base URL a client is configured with (includes a Data Center context path)."""
        return self.url + self.flavor.context_path

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI); returns when `stop()` is called elsewhere."""
        self.start()
        assert self._thread is not None
        while self._thread.is_alive():
            self._thread.join(0.5)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        # Keep-alive connections would otherwise linger in their daemon threads.
        with self._connections_lock:
            open_connections = list(self._connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> SimulatedSite:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def reset_stats(self) -> None:
        self.stats.reset()

    # --- request pipeline ------------------------------------------------------------------------

    def _pipeline(self, req: Request) -> Response | object:
        style = self.router.style_for(req.path)
        rate_headers: dict[str, str] = {}
        try:
            if self.spec.latency_ms > 0:
                time.sleep(self.spec.latency_ms / 1000)
            if self._bucket is not None:
                decision = self._bucket.take()
                if not decision.allowed:
                    self.stats.rate_limited()
                    raise ApiError(429, "Rate limit exceeded", headers=decision.headers)
                rate_headers = decision.headers
            fault = self._faults.draw()
            if fault is not None:
                self.stats.fault(fault)
                verdict = self._inject(fault)
                if verdict is not None:
                    return verdict
            if not req.authenticated:
                self.flavor.authenticate(self.spec, req)
            route, params = self.router.match(req.method, req.path)
            style = route.style
            if route.family is not None and route.family in self.spec.denied:
                raise ApiError(route.denied_status, route.denied_message)
            response = route.handler(req, params)
        except ApiError as error:
            body, content_type = render_error(style, error)
            response = Response(error.status, body, content_type, dict(error.headers))
        except Exception:  # a simulator bug: answer 500 like a real server, keep the trace
            self.internal_errors.append(traceback.format_exc())
            body, content_type = render_error(style, ApiError(500, "Internal Server Error"))
            response = Response(500, body, content_type)
        for name, value in rate_headers.items():
            response.headers.setdefault(name, value)
        if response.status == 200 and response.body and self._faults.take_truncation(req.path):
            # A well-framed answer (Content-Length matches) whose JSON stops half-way.
            self.stats.fault(FAULT_TRUNCATE)
            response.body = response.body[: len(response.body) // 2]
        return response

    def _inject(self, fault: str) -> object | None:
        """Apply a drawn fault: raise an error answer, return `_RESET`, or None to go on."""
        retry = self.spec.faults.retry_after_s
        if fault == FAULT_RESET:
            return _RESET
        if fault == FAULT_SLOW:
            time.sleep(self.spec.faults.slow_ms / 1000)
            return None
        if fault in (FAULT_429, FAULT_429_RETRY_AFTER):
            limit = int(self._bucket.capacity) if self._bucket is not None else None
            headers = rate_limited_headers(
                limit, retry if fault == FAULT_429_RETRY_AFTER else None, self.flavor.rate_style
            )
            raise ApiError(429, "Rate limit exceeded", headers=headers)
        if fault in (FAULT_503, FAULT_503_RETRY_AFTER):
            headers = {"Retry-After": str(retry)} if fault == FAULT_503_RETRY_AFTER else {}
            raise ApiError(503, "Service Unavailable", headers=headers)
        return None

    def _track(self, conn: socket.socket, opened: bool) -> None:
        with self._connections_lock:
            if opened:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)
