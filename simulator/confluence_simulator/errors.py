"""Error bodies as Confluence Cloud writes them, and the exception handlers raise to send one.

Two shapes (FACTS.md §Errors):
- v1 (`/wiki/rest/api/...`): {"statusCode", "data": {"authorized", "valid", "errors", "successful"},
  "message"}, as in Atlassian's REST intro and in bodies quoted from real sites;
- v2 (`/wiki/api/v2/...`): {"errors": [{"status", "code", "title", "detail"}]}, observed bodies
  (Atlassian publishes no v2 error schema).
Some answers are not JSON at all on real sites (XSRF failure, bad basic-auth credentials); those
carry an explicit text body.
"""

from __future__ import annotations

import json
from typing import Any

STYLE_V1 = "v1"
STYLE_V2 = "v2"

_V2_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "REQUEST_ENTITY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}

# Java exception prefixes Confluence puts in v1 messages (seen in real error bodies).
PERMISSION_EXCEPTION = "com.atlassian.confluence.api.service.exceptions.PermissionException: "
BAD_REQUEST_EXCEPTION = "com.atlassian.confluence.api.service.exceptions.BadRequestException: "
NOT_FOUND_EXCEPTION = "com.atlassian.confluence.api.service.exceptions.NotFoundException: "

XSRF_FAILED_TEXT = "XSRF check failed"
BASIC_AUTH_DEPRECATED_TEXT = (
    "Basic authentication with passwords is deprecated.  For more information, see: "
    "https://developer.atlassian.com/cloud/confluence/deprecation-notice-basic-auth/"
)


class ApiError(Exception):
    """Raised by handlers and plumbing; the server renders it in the route's error style."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        text_body: str | None = None,
        json_body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.text_body = text_body  # when set, sent as text/plain instead of a JSON body
        self.json_body = json_body  # when set, sent instead of the style's standard body


def v1_error_body(status: int, message: str) -> dict[str, Any]:
    # Observed: a 400 BadRequestException carries authorized/valid/successful all true, a 403
    # PermissionException authorized false / valid true; other statuses follow the 403 pattern.
    ok = status == 400
    return {
        "statusCode": status,
        "data": {"authorized": ok, "valid": True, "errors": [], "successful": ok},
        "message": message,
    }


def v2_error_body(status: int, message: str) -> dict[str, Any]:
    return {
        "errors": [
            {"status": status, "code": _V2_CODES.get(status, "ERROR"), "title": message, "detail": None}
        ]
    }


def render_error(style: str, error: ApiError) -> tuple[bytes, str]:
    """(body, content type) for an error in the given API style."""
    if error.text_body is not None:
        return error.text_body.encode(), "text/plain;charset=UTF-8"
    if error.json_body is not None:
        return json.dumps(error.json_body).encode(), "application/json;charset=UTF-8"
    body = v2_error_body(error.status, error.message) if style == STYLE_V2 else v1_error_body(
        error.status, error.message
    )
    return json.dumps(body).encode(), "application/json;charset=UTF-8"
