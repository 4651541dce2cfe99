"""Page tokens that carry more than an API cursor: small JSON objects, restart-safe strings.

The engine stores tokens in its checkpoint and may hand one back to a new process, so a token
holds only plain data (cursors, offsets, ids), never references to in-memory state. Anything that
only exists in memory is tied to the cache `generation` recorded in the token.
"""

from __future__ import annotations

import json
from typing import Any

import grpc

from baton_confluence.baton.errors import ConnectorError


def encode(state: dict[str, Any]) -> str:
    return json.dumps(state, separators=(",", ":"), sort_keys=True)


def decode(token: str, what: str) -> dict[str, Any]:
    """The state in `token` ({} for the first page); INVALID_ARGUMENT if it is not ours."""
    if not token:
        return {}
    try:
        state = json.loads(token)
    except ValueError:
        state = None
    if not isinstance(state, dict):
        raise ConnectorError(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"baton-confluence: invalid page token for {what}: {token[:60]!r}",
        )
    return state


def text_field(state: dict[str, Any], name: str, default: str = "") -> str:
    value = state.get(name, default)
    return value if isinstance(value, str) else default


def int_field(state: dict[str, Any], name: str) -> int:
    value = state.get(name, 0)
    return value if isinstance(value, int) and value >= 0 else 0
