"""`ConfluenceOptions`: what the connector needs to know, filled by the CLI/config layer.

Frozen so that a connector built from it cannot drift mid-sync. Sequences are tuples for the
same reason. Credentials are not here: they go to the HTTP client (builder.py), never to the
syncers, so logging the options can never print a secret.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from baton_confluence.baton.errors import ConnectorError

DEFAULT_CONCURRENCY = 16


@dataclass(frozen=True)
class ConfluenceOptions:
    domain_url: str
    # Permission selection (non-RBAC mode); empty means the upstream runtime defaults.
    nouns: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    skip_personal_spaces: bool = False
    # RBAC: space roles and role assignments instead of granular permissions.
    use_rbac: bool = False
    # RBAC: one binding per (space, role) pair, not only for roles someone holds in the space.
    dense_role_bindings: bool = False
    # Space filters: they apply to the space listing, hence to everything hanging off a space.
    include_space_keys: tuple[str, ...] = ()
    exclude_space_keys: tuple[str, ...] = ()
    skip_archived_spaces: bool = False
    # How many API calls one listing step may have in flight (the HTTP client caps the total).
    concurrency: int = DEFAULT_CONCURRENCY
    # --last-activity: each account's last activity on its user resource (docs/site-and-activity.md).
    last_activity: bool = False
    # Restricted pages and blog posts (docs/restricted-content.md); off: not a single extra request.
    sync_restricted_content: bool = False

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ConnectorError(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"baton-confluence: concurrency must be at least 1, got {self.concurrency}",
            )
