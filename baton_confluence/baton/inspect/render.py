"""Render the contents of a c1z as a text table or as JSON, for the `inspect` command.

JSON output is one document: a list of objects, each a protobuf message in its canonical
JSON mapping (camelCase names, as Go's protojson prints them); `stats` is one object.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, Literal

from google.protobuf import json_format
from google.protobuf.message import Message

from baton_confluence.baton import pb
from baton_confluence.baton.c1z import C1ZReader, SyncRun
from baton_confluence.baton.errors import UsageError
from baton_confluence.baton.inspect.access import grant_sources
from baton_confluence.baton.inspect.table import format_table
from baton_confluence.baton.sync.completeness import CompletenessReport

Output = Literal["table", "json"]

KINDS = ("resource-types", "resources", "entitlements", "grants", "syncs", "stats")


def render(
    kind: str,
    reader: C1ZReader,
    *,
    output: Output = "table",
    resource_type: str | None = None,
    resource_id: str | None = None,
    entitlement_id: str | None = None,
    principal_type: str | None = None,
    principal_id: str | None = None,
) -> str:
    """Text for one kind of object in the reader's selected sync; filters apply where they make sense."""
    if kind == "resource-types":
        return _messages(list(reader.resource_types()), output, _resource_type_table)
    if kind == "resources":
        return _messages(list(reader.resources(resource_type)), output, _resource_table)
    if kind == "entitlements":
        items = reader.entitlements(resource_type, resource_id)
        return _messages(list(items), output, _entitlement_table)
    if kind == "grants":
        grants = reader.grants(
            entitlement_id,
            principal_type,
            principal_id,
            resource_type_id=resource_type,
            resource_id=resource_id,
            full_entitlements=True,  # what `inspect grants` showed before grants were stored lean
        )
        return _messages(list(grants), output, _grant_table)
    if kind == "syncs":
        return _syncs(reader, output)
    if kind == "stats":
        return _stats(reader, output)
    raise UsageError(f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}")


def _messages(items: list[Any], output: Output, table: Callable[[list[Any]], str]) -> str:
    if output == "json":
        return _json([json_format.MessageToDict(m) for m in items])
    return table(items)


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _enum_label(message: Message, field: str, value: int) -> str:
    """`TRAIT_USER` -> `user`, `PURPOSE_VALUE_ASSIGNMENT` -> `assignment`."""
    enum = message.DESCRIPTOR.fields_by_name[field].enum_type
    name: str = enum.values_by_number[value].name if value in enum.values_by_number else str(value)
    prefix = enum.values[0].name.rsplit("_", 1)[0] + "_"  # e.g. "TRAIT_" from TRAIT_UNSPECIFIED
    return name.removeprefix(prefix).lower()


def _ref(resource_id: pb.resource.ResourceId) -> str:
    return f"{resource_id.resource_type}:{resource_id.resource}"


def _resource_type_table(items: list[pb.resource.ResourceType]) -> str:
    rows = [(rt.id, rt.display_name, ", ".join(_enum_label(rt, "traits", t) for t in rt.traits)) for rt in items]
    return format_table(("ID", "DISPLAY NAME", "TRAITS"), rows)


def _resource_table(items: list[pb.resource.Resource]) -> str:
    rows = [
        (
            r.id.resource_type,
            r.id.resource,
            r.display_name,
            _ref(r.parent_resource_id) if r.HasField("parent_resource_id") else "",
        )
        for r in items
    ]
    return format_table(("RESOURCE TYPE", "ID", "DISPLAY NAME", "PARENT"), rows)


def _entitlement_table(items: list[pb.entitlement.Entitlement]) -> str:
    rows = [(e.id, e.display_name, _enum_label(e, "purpose", e.purpose) if e.purpose else "") for e in items]
    return format_table(("ID", "DISPLAY NAME", "PURPOSE"), rows)


def _grant_table(items: list[pb.grant.Grant]) -> str:
    rows = [(g.entitlement.id, "→", _ref(g.principal.id), derived_marker(g)) for g in items]
    return format_table(("ENTITLEMENT", "", "PRINCIPAL", "DERIVED"), rows)


def derived_marker(grant: pb.grant.Grant) -> str:
    """How a grant came about: '' (direct), 'yes (via S…)' (expansion only) or 'also via S…'
    (the rule is `grant_sources`, shared with `inspect access`)."""
    direct, others = grant_sources(grant)
    via = f"via {', '.join(others)}" if others else ""
    if not direct:
        return f"yes ({via})" if via else "yes"
    return f"also {via}" if via else ""


def _sync_dict(run: SyncRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "type": run.type,
        "started_at": run.started_at,
        "ended_at": run.ended_at,
        "parent_sync_id": run.parent_sync_id,
        "stats": run.stats,
    }


def _syncs(reader: C1ZReader, output: Output) -> str:
    items = reader.syncs()
    if output == "json":
        return _json([_sync_dict(r) for r in items])
    rows = [
        (
            "*" if r.id == reader.sync_id else "",
            r.id,
            r.type,
            r.started_at,
            r.ended_at or "(unfinished)",
            *_counts(r.stats or {}, ("resources", "entitlements", "grants")),
        )
        for r in items
    ]
    headers = ("", "SYNC ID", "TYPE", "STARTED", "ENDED", "RESOURCES", "ENTITLEMENTS", "GRANTS")
    return format_table(headers, rows)


def _counts(stats: dict[str, Any], keys: Iterable[str]) -> list[str]:
    return [str(stats.get(k, 0)) if stats else "" for k in keys]


def _stats(reader: C1ZReader, output: Output) -> str:
    stats = reader.stats()
    described = reader.stats_sync()
    sync_id = described.id if described else None
    report = completeness_of(described.sync_token if described else "")
    if output == "json":
        return _json({"sync_id": sync_id, **stats, "completeness": report.to_json()})
    rows: list[tuple[str, str]] = [("sync", sync_id or "(none)")]
    rows += [(k, str(stats.get(k, 0))) for k in ("resource_types", "resources", "entitlements", "grants")]
    for key, label in (
        ("resources_by_resource_type", "resources"),
        ("entitlements_by_resource_type", "entitlements"),
        ("grants_by_resource_type", "grants"),
    ):
        rows += [(f"{label}[{rtype}]", str(n)) for rtype, n in stats.get(key, {}).items()]
    rows += [(f"completeness[{name}]", str(n)) for name, n in sorted(report.counters.items())]
    if report.unresolved_total:
        rows.append(("completeness[unresolved principals]", ", ".join(report.unresolved[:20])))
    return format_table(("STAT", "VALUE"), rows)


def completeness_of(sync_token: str) -> CompletenessReport:
    """The completeness report a sync by this engine keeps in its token (empty for other writers)."""
    try:
        raw = json.loads(sync_token) if sync_token else {}
    except ValueError:
        raw = {}
    return CompletenessReport.from_json(raw.get("completeness") if isinstance(raw, dict) else None)
