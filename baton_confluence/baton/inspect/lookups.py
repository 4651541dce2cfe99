"""`inspect access` (what a principal holds) and `inspect principals` (who holds an entitlement or
anything on a resource), as a table or one JSON list of holdings of the same shape for both."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

from baton_confluence.baton.inspect.access import AccessView, Holding, ResourceRef, ResourceResolver
from baton_confluence.baton.inspect.table import format_table

Output = Literal["table", "json"]


def access(view: AccessView, principal: ResourceRef, output: Output = "table") -> str:
    who = view.require(principal, "principal")
    holdings = list(view.held_by(principal))
    if output == "json":
        return _json(view.resolver, holdings)
    # the principal's last-active date on every row, so that a filtered or pasted row keeps it
    rows = [
        (str(h.resource), view.resolver.info(h.resource).name, h.slug, how_text(h, view.resolver), who.last_active_text)
        for h in holdings
    ]
    return format_table(("RESOURCE", "NAME", "ENTITLEMENT", "HOW", "LAST ACTIVE"), rows)


def principals(
    view: AccessView,
    *,
    entitlement_id: str | None = None,
    resource: ResourceRef | None = None,
    output: Output = "table",
) -> str:
    """Holders of one entitlement, or of every entitlement on one resource (exactly one is given)."""
    if (entitlement_id is None) == (resource is None):
        raise ValueError("give exactly one of an entitlement id or a resource")
    if entitlement_id is not None:
        view.require_entitlement(entitlement_id)
        holdings = list(view.holders_of(entitlement_id))
    else:
        assert resource is not None
        view.require(resource, "resource")
        holdings = list(view.holders_on(resource))
    if output == "json":
        return _json(view.resolver, holdings)
    rows = []
    for h in holdings:
        info = view.resolver.info(h.principal)
        rows.append(
            (str(h.principal), info.name, info.status.value, h.slug, how_text(h, view.resolver), info.last_active_text)
        )
    return format_table(("PRINCIPAL", "NAME", "STATUS", "ENTITLEMENT", "HOW", "LAST ACTIVE"), rows)


def how_text(holding: Holding, resolver: ResourceResolver) -> str:
    """`direct`, `via Engineers (group:g1)`, or both, comma-separated."""
    parts = ["direct"] if holding.direct else []
    parts += [f"via {resolver.info(v.resource).name} ({v.resource})" for v in holding.via]
    return ", ".join(parts) or "derived (source not recorded)"


def holding_json(holding: Holding, resolver: ResourceResolver) -> dict[str, Any]:
    return {
        "principal": principal_json(holding.principal, resolver),
        "entitlement": {"id": holding.entitlement_id, "slug": holding.slug},
        "resource": _ref_json(holding.resource, resolver),
        "direct": holding.direct,
        "via": [{"entitlement": v.entitlement_id, "resource": _ref_json(v.resource, resolver)} for v in holding.via],
    }


def principal_json(ref: ResourceRef, resolver: ResourceResolver) -> dict[str, str]:
    info = resolver.info(ref)
    account = {
        "email": info.email,
        "account_type": info.account_type.value,
        "status": info.status.value,
        "last_active": info.last_active_text,
    }
    return {**_ref_json(ref, resolver), **account}


def _ref_json(ref: ResourceRef, resolver: ResourceResolver) -> dict[str, str]:
    return {"type": ref.type, "id": ref.id, "name": resolver.info(ref).name}


def _json(resolver: ResourceResolver, holdings: Iterable[Holding]) -> str:
    return json.dumps([holding_json(h, resolver) for h in holdings], indent=2, ensure_ascii=False) + "\n"
