"""Turning connector objects into c1z rows (docs/protocol.md §1.4).

These run once per object on the hot path of a sync, so they use plain tuples and local
variables and skip any work the common case does not need (most grants carry no
annotations, so they are serialized as they are without a copy).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.protobuf.message import DecodeError

from baton_confluence.baton import pb
from baton_confluence.baton.grant import is_lean, lean_entitlement

Row = tuple[Any, ...]

EXPANDABLE_NAME = pb.grant_annotations.GrantExpandable.DESCRIPTOR.full_name


def resource_type_rows(items: Iterable[pb.resource.ResourceType], sync_id: str, now: str) -> list[Row]:
    return [(rt.id, rt.SerializeToString(deterministic=True), sync_id, now) for rt in items]


def resource_rows(items: Iterable[pb.resource.Resource], sync_id: str, now: str) -> list[Row]:
    rows: list[Row] = []
    append = rows.append
    for r in items:
        rid = r.id
        rtype = rid.resource_type
        if r.HasField("parent_resource_id"):
            parent = r.parent_resource_id
            ptype: str | None = parent.resource_type
            pid: str | None = parent.resource
        else:
            ptype = pid = None
        data = r.SerializeToString(deterministic=True)
        append((rtype, f"{rtype}:{rid.resource}", ptype, pid, data, sync_id, now))
    return rows


def entitlement_rows(items: Iterable[pb.entitlement.Entitlement], sync_id: str, now: str) -> list[Row]:
    rows: list[Row] = []
    append = rows.append
    for e in items:
        rid = e.resource.id
        data = e.SerializeToString(deterministic=True)
        append((rid.resource_type, rid.resource, e.id, data, sync_id, now))
    return rows


def grant_rows(items: Iterable[pb.grant.Grant], sync_id: str, now: str) -> list[Row]:
    """Rows of (rt, rid, entitlement_id, ptype, pid, external_id, expansion, needs, data, sync, now).

    A grant whose embedded entitlement is fuller than the lean form is stored lean (baton/grant.py)."""
    rows: list[Row] = []
    append = rows.append
    for g in items:
        ent = g.entitlement
        if not is_lean(ent):
            g = _with_lean_entitlement(g)
            ent = g.entitlement
        rid = ent.resource.id
        pid = g.principal.id
        expansion: bytes | None = None
        needs = 0
        if g.annotations:
            g, expansion, needs = split_expansion(g)
        data = g.SerializeToString(deterministic=True)
        append(
            (
                rid.resource_type,
                rid.resource,
                ent.id,
                pid.resource_type,
                pid.resource,
                g.id,
                expansion,
                needs,
                data,
                sync_id,
                now,
            )
        )
    return rows


def _with_lean_entitlement(grant: pb.grant.Grant) -> pb.grant.Grant:
    """A copy of `grant` embedding its entitlement lean; the caller's message is not modified."""
    lean = pb.grant.Grant()
    lean.CopyFrom(grant)
    lean.entitlement.CopyFrom(lean_entitlement(grant.entitlement))
    return lean


def is_expandable(type_url: str) -> bool:
    # Go's Any.MessageIs compares the full name after the last '/', whatever the prefix.
    return type_url.rpartition("/")[2] == EXPANDABLE_NAME


def split_expansion(grant: pb.grant.Grant) -> tuple[pb.grant.Grant, bytes | None, int]:
    """Strip every GrantExpandable annotation; return (grant, expansion bytes, needs_expansion).

    Like Go, the first GrantExpandable wins, and it only counts (bytes and needs=1) when it
    names at least one non-blank entitlement id; the annotation is stripped either way.
    The caller's message is not modified.
    """
    found = [a for a in grant.annotations if is_expandable(a.type_url)]
    if not found:
        return grant, None, 0
    stripped = pb.grant.Grant()
    stripped.CopyFrom(grant)
    del stripped.annotations[:]
    stripped.annotations.extend(a for a in grant.annotations if not is_expandable(a.type_url))
    expandable = pb.grant_annotations.GrantExpandable()
    try:
        expandable.ParseFromString(found[0].value)
    except DecodeError:  # a malformed annotation is dropped, as Go's Pick error path does
        return stripped, None, 0
    if not any(eid.strip() for eid in expandable.entitlement_ids):
        return stripped, None, 0
    return stripped, expandable.SerializeToString(deterministic=True), 1
