"""Flavour-neutral request/response types and the route table that maps paths to handlers.

A flavour (Cloud or Data Center) is just a `Router` filled with routes: each route names
its HTTP method, a path template with `{placeholders}`, the handler, the endpoint family that
`SiteSpec.denied` can switch off, and the error style (v1 or v2 body) it answers in. The server
knows nothing about Confluence paths beyond what the router tells it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from confluence_simulator.errors import STYLE_V1, ApiError


@dataclass
class Request:
    method: str
    path: str
    raw_query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    base_url: str  # scheme://host:port of this site
    query: list[tuple[str, str]] = field(default_factory=list)
    anonymous: bool = False  # set by an authenticator that lets the request through as the anonymous user
    authenticated: bool = False  # the API gateway checked the credential already (gateway.py)

    def __post_init__(self) -> None:
        if not self.query and self.raw_query:
            self.query = parse_qsl(self.raw_query, keep_blank_values=True)

    def param(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return None

    def params(self, name: str) -> list[str]:
        """All values of a multi-value parameter, given repeated or comma-separated."""
        out: list[str] = []
        for key, value in self.query:
            if key == name:
                out.extend(v for v in value.split(",") if v)
        return out

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(400, f"Could not parse request body: {exc}") from exc


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(payload).encode(), "application/json;charset=UTF-8", headers or {})


Handler = Callable[[Request, dict[str, str]], Response]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    family: str | None
    style: str
    denied_status: int  # what the site answers when `family` is denied to the caller
    denied_message: str


class Router:
    def __init__(self, default_style: Callable[[str], str] | None = None) -> None:
        self.routes: list[Route] = []
        self._default_style = default_style or (lambda _path: STYLE_V1)

    def add(
        self,
        method: str,
        template: str,
        handler: Handler,
        *,
        family: str | None,
        style: str,
        denied_status: int,
        denied_message: str = "Not permitted",
    ) -> None:
        regex = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
        self.routes.append(
            Route(method, template, re.compile(regex), handler, family, style, denied_status, denied_message)
        )

    def style_for(self, path: str) -> str:
        return self._default_style(path)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route for (method, path), or ApiError 404 (no such path) / 405 (wrong method)."""
        path_matched = False
        for route in self.routes:
            m = route.pattern.match(path)
            if m is None:
                continue
            path_matched = True
            if route.method == method:
                return route, m.groupdict()
        if path_matched:
            raise ApiError(405, f"Method {method} is not allowed for {path}")
        raise ApiError(404, f"No resource found at {path}")
