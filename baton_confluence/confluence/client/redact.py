"""Keeping credentials out of logs and error messages.

Two tools: `redact` scrubs known secret strings out of free text (error bodies, exception
messages), and `redact_params` hides query values whose *name* says they are secret. Every log
line and every error message the client produces passes through one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import quote

REDACTED = "[REDACTED]"

# Query parameter names whose values are never logged or counted verbatim. Matched as
# substrings of the lower-cased name, so `api_key`, `accessToken` and `client_secret` count.
SECRET_PARAM_MARKERS = ("token", "key", "secret", "password", "passwd", "auth", "signature", "jwt")


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every occurrence of each secret (raw or URL-encoded) replaced by a marker.

    Longer secrets go first so that a secret containing another is scrubbed whole.
    """
    forms = {form for secret in secrets if secret for form in (secret, quote(secret, safe=""))}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return text


def is_secret_param(name: str) -> bool:
    lowered = name.lower()
    return any(marker in lowered for marker in SECRET_PARAM_MARKERS)


def redact_params(params: Mapping[str, str]) -> dict[str, str]:
    """A copy of already-encoded query parameters with secret-named values hidden."""
    return {name: REDACTED if is_secret_param(name) else value for name, value in params.items()}
