"""The space-permission entitlements a Data Center space carries.

The same `--noun`/`--verb` selection as Cloud, narrowed to the pairs Data Center has
(`permission_map`): an entitlement DC cannot hold would never get a grant and would fail when
requested. The slugs of the remaining pairs are Cloud's, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.datacenter.permission_map import PERMISSION_TO_DC, dc_supports
from baton_confluence.confluence.permissions import PermissionCatalog


def dc_catalog(nouns: Iterable[str] = (), verbs: Iterable[str] = ()) -> PermissionCatalog:
    selected = PermissionCatalog.select(nouns, verbs)
    kept = tuple(p for p in selected if dc_supports(p))
    if not kept:
        valid = ", ".join(sorted(p.slug for p in PERMISSION_TO_DC))
        raise ConnectorError(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"baton-confluence: none of the selected space permissions exists on Confluence Data Center; "
            f"Data Center has: {valid}",
        )
    return PermissionCatalog(kept)
