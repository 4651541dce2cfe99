"""What kind of credential a request carries, recorded per listener (site or gateway) by both.

Scoped API tokens and OAuth 2.0 Bearer tokens belong on the gateway only: a test reads
`SiteStats.snapshot().credentials` to prove none of them ever reached the site.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from confluence_simulator.spec import SiteSpec

LISTENER_SITE = "site"
LISTENER_GATEWAY = "gateway"
CREDENTIAL_NONE = "none"
CREDENTIAL_CLASSIC = "basic-classic"
CREDENTIAL_SCOPED = "basic-scoped"
CREDENTIAL_BASIC_OTHER = "basic-other"
CREDENTIAL_BEARER = "bearer"
# The organization admin API's key (`SiteAdminSpec.org_api_key`, also a Bearer credential): told
# apart from gateway tokens so that a test can prove each went only to its own API.
CREDENTIAL_ORG_KEY = "bearer-org-key"
GATEWAY_ONLY_CREDENTIALS = frozenset({CREDENTIAL_SCOPED, CREDENTIAL_BEARER})


def credential_kind(spec: SiteSpec, authorization: str | None) -> str:
    """What kind of credential a request carries (for the per-listener record)."""
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() == "bearer":
        if hmac.compare_digest(value.strip(), spec.site_admin.org_api_key):
            return CREDENTIAL_ORG_KEY
        return CREDENTIAL_BEARER
    if scheme.lower() != "basic":
        return CREDENTIAL_NONE
    user, token = _basic(value)
    if hmac.compare_digest(user, spec.username) and hmac.compare_digest(token, spec.gateway.scoped_api_token):
        return CREDENTIAL_SCOPED
    if hmac.compare_digest(user, spec.username) and hmac.compare_digest(token, spec.api_token):
        return CREDENTIAL_CLASSIC
    return CREDENTIAL_BASIC_OTHER


def _basic(value: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    user, _, token = decoded.partition(":")
    return user, token
