"""How Data Center checks credentials (DC_FACTS.md §Authentication).

- `Authorization: Bearer <personal access token>` (Confluence 7.9+), when the spec sets one;
- `Authorization: Basic username:password`; wrong ones answer 401;
- a wrong or missing token is **not** refused: Confluence carries on as the anonymous user when
  anonymous access is on (CONFSERVER-98199). Here the anonymous user may only ask who it is
  (`/rest/api/user/current` answers `{"type": "anonymous"}`); anything else answers 401;
- the JSON-RPC remote API accepts a PAT unless `SiteSpec.remote_api_accepts_pat` is False (then 401;
  whether real sites accept PATs there is not documented).
"""

from __future__ import annotations

import base64
import binascii
import hmac

from confluence_simulator.errors import ApiError
from confluence_simulator.routing import Request
from confluence_simulator.spec import SiteSpec

CURRENT_USER_SUFFIX = "/rest/api/user/current"
RPC_SUFFIX = "/rpc/json-rpc/confluenceservice-v2"


def authenticate_datacenter(spec: SiteSpec, req: Request) -> None:
    scheme, _, credentials = (req.header("authorization") or "").partition(" ")
    scheme = scheme.lower()
    if scheme == "basic":
        user, password = _basic(credentials)
        if hmac.compare_digest(user, spec.username) and hmac.compare_digest(password, spec.password):
            return
        raise ApiError(401, "Authentication failed: wrong username or password")
    pat = spec.personal_access_token
    if scheme == "bearer" and pat is not None and hmac.compare_digest(credentials.strip(), pat):
        if not spec.remote_api_accepts_pat and req.path.endswith(RPC_SUFFIX):
            raise ApiError(401, "The remote API does not accept personal access tokens")
        return
    if req.path.endswith(CURRENT_USER_SUFFIX):
        req.anonymous = True
        return
    raise ApiError(401, "This resource requires authentication")


def _basic(credentials: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    user, _, password = decoded.partition(":")
    return user, password
