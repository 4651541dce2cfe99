"""How Confluence Cloud checks credentials: basic auth with email + API token (FACTS.md §Authentication).

A Bearer token is accepted too when the spec sets `personal_access_token` (groundwork for the Data
Center flavour, whose PATs are Bearer tokens).
"""

from __future__ import annotations

import base64
import binascii
import hmac

from confluence_simulator.errors import BASIC_AUTH_DEPRECATED_TEXT, ApiError
from confluence_simulator.routing import Request
from confluence_simulator.site_global import TENANT_INFO
from confluence_simulator.spec import SiteSpec


def authenticate_cloud(spec: SiteSpec, req: Request) -> None:
    if req.path == TENANT_INFO:
        return  # public: it tells anyone the site's cloudId (FACTS.md §Gateway)
    scheme, _, credentials = (req.header("authorization") or "").partition(" ")
    scheme = scheme.lower()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        user, _, token = decoded.partition(":")
        if hmac.compare_digest(user, spec.username) and hmac.compare_digest(token, spec.api_token):
            return
        # Wrong basic credentials are taken for a password login, which Cloud refuses in plain text.
        raise ApiError(401, "Unauthorized", text_body=BASIC_AUTH_DEPRECATED_TEXT)
    pat = spec.personal_access_token
    if scheme == "bearer" and pat is not None and hmac.compare_digest(credentials.strip(), pat):
        return
    raise ApiError(401, "Client must be authenticated to access this resource.")
