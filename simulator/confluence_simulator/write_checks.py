"""Preconditions Confluence Cloud puts on writes, before looking at what is written.

- v1 writes are XSRF-protected: without `X-Atlassian-Token: no-check` the answer is a plain-text
  403 "XSRF check failed" (Atlassian KB "XSRF check failed when calling Cloud APIs").
- Bodies must be sent as JSON; another media type gets 415 (JAX-RS behaviour of the REST layer).
"""

from __future__ import annotations

from confluence_simulator.errors import XSRF_FAILED_TEXT, ApiError
from confluence_simulator.routing import Request

MAX_V2_BODY_BYTES = 5 * 1024 * 1024  # role-assignment POST answers 413 above 5 MB


def require_xsrf_token(req: Request) -> None:
    if (req.header("x-atlassian-token") or "").strip().lower() != "no-check":
        raise ApiError(403, XSRF_FAILED_TEXT, text_body=XSRF_FAILED_TEXT)


def require_json(req: Request) -> None:
    media = (req.header("content-type") or "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise ApiError(415, f"Unsupported Media Type: {media or 'none'}; expected application/json")
