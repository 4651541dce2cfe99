"""Validate, hard part 1: can the account sign in as itself (not as the anonymous user)?"""

from __future__ import annotations

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import SignedIn, SiteProbes
from baton_confluence.confluence.validation.findings import failure, inner
from baton_confluence.confluence.validation.fixes import Fixes

# No answer at all (DNS, TLS, refused): the transport error already says what to do (--ca-cert...).
_UNREACHABLE = "check --domain-url and that this host can reach the site"
_UNTRUSTED = "trust the site's CA with --ca-cert FILE (--insecure-skip-verify only for a test site)"


async def sign_in(api: SiteProbes, site: str, fixes: Fixes) -> SignedIn:
    """The calling account; raises when the credentials do not sign in (or sign in as nobody)."""
    try:
        user = await api.probe_current_user()
    except ConnectorError as err:
        raise failure(err.code, f"cannot sign in to {site} ({inner(err)})", _hint(err, fixes)) from err
    if not user.account_id:
        raise failure(grpc.StatusCode.UNAUTHENTICATED, f"{site} answered as an anonymous user", fixes.anonymous)
    return user


def _hint(err: ConnectorError, fixes: Fixes) -> str:
    if "--ca-cert" in err.message:
        return _UNTRUSTED
    return {
        grpc.StatusCode.UNAUTHENTICATED: fixes.sign_in_rejected,
        grpc.StatusCode.PERMISSION_DENIED: fixes.sign_in_forbidden,
        grpc.StatusCode.NOT_FOUND: fixes.sign_in_not_found,
    }.get(err.code, _UNREACHABLE)
