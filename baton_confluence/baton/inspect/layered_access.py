"""Effective access through layers: who can actually use an entitlement that every layer gates.

Some systems state access as a stack of lists: to see a document one must be able to see its
container, AND be listed (directly or through a group) on every layer of restriction set on the
document and on each of its restricted ancestors. The c1z stores each layer as it is set (the
grants of the layer entitlement, expanded to group members); this module intersects them, and
names the principals a layer lists who still cannot get through (a usual misconfiguration).

The runtime knows no connector, so the connector states the rule (`LayeredAccessRule`): which
resource types are layered, which entitlement slug a layer is, which slug on the parent resource
is the container's gate, which profile key lists a resource's ancestors, and which principal
types stand for everyone (an access class such as anonymous users). The CLI passes the
connector's rule (cli/commands.py `inspect`); Confluence's is documented in docs/restricted-content.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from baton_confluence.baton import pb
from baton_confluence.baton.c1z import C1ZReader
from baton_confluence.baton.ids import entitlement_id
from baton_confluence.baton.inspect.access import AccessView, ResourceRef
from baton_confluence.baton.inspect.table import format_table


@dataclass(frozen=True)
class LayeredAccessRule:
    resource_types: tuple[str, ...]  # the layered resource types, e.g. page and blogpost
    layer_slug: str  # the entitlement whose holders form a resource's layer, e.g. view
    container_slug: str  # the gate on the parent resource, e.g. read-space
    ancestors_profile_key: str  # profile list of ancestor resource ids (same resource types), root first
    open_access_types: frozenset[str] = frozenset()  # holding the gate as one of these opens it to everyone


@dataclass(frozen=True)
class Blocked:
    """A user a resource's own layer lists (directly or through a group) who cannot use it, and why."""

    user: ResourceRef
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class LayeredResource:
    ref: ResourceRef
    name: str
    container: ResourceRef | None
    layers: tuple[ResourceRef, ...]  # the restricted ancestors (root first), then the resource if it has a layer
    effective: tuple[ResourceRef, ...]  # users who pass the gate and every layer
    blocked: tuple[Blocked, ...]


@dataclass
class _Layered:
    ref: ResourceRef
    name: str
    container: ResourceRef | None
    ancestor_ids: tuple[str, ...]
    has_layer: bool = False
    members: frozenset[ResourceRef] = field(default_factory=frozenset)


def layered_access(
    reader: C1ZReader, rule: LayeredAccessRule, *, container: str | None = None
) -> list[LayeredResource]:
    """Every layered resource of the sync (only those under `container`, `type:id`, when given),
    ordered by container and name."""
    view = AccessView(reader)
    user_types = frozenset(
        rt.id for rt in reader.resource_types() if pb.resource.ResourceType.TRAIT_USER in rt.traits
    )
    by_id: dict[str, _Layered] = {}
    everyone: set[ResourceRef] = set()
    for resource in reader.resources():
        ref = ResourceRef(resource.id.resource_type, resource.id.resource)
        if ref.type in user_types:
            everyone.add(ref)
        if ref.type not in rule.resource_types:
            continue
        parent = resource.parent_resource_id
        by_id[ref.id] = _Layered(
            ref,
            resource.display_name or ref.id,
            ResourceRef(parent.resource_type, parent.resource) if parent.resource else None,
            _ancestors(resource, rule.ancestors_profile_key),
        )
    for item in by_id.values():
        holders = list(view.holders_of(entitlement_id(item.ref.type, item.ref.id, rule.layer_slug)))
        item.has_layer = bool(holders)
        item.members = frozenset(h.principal for h in holders if h.principal.type in user_types)
    gates: dict[ResourceRef, frozenset[ResourceRef]] = {}
    out = []
    for item in by_id.values():
        if item.container is None or (container is not None and str(item.container) != container):
            continue
        if item.container not in gates:
            gates[item.container] = _gate(view, item.container, rule, user_types, everyone)
        gate = gates[item.container]
        layers = [by_id[a] for a in item.ancestor_ids if a in by_id and by_id[a].has_layer]
        if item.has_layer:
            layers.append(item)
        effective = set(gate)
        for layer in layers:
            effective &= layer.members
        blocked = [
            Blocked(user, tuple(_reasons(rule, user, gate, layers, item.container)))
            for user in sorted(item.members - effective)
        ]
        out.append(
            LayeredResource(
                item.ref, item.name, item.container, tuple(layer.ref for layer in layers),
                tuple(sorted(effective)), tuple(blocked),
            )
        )
    out.sort(key=lambda r: (str(r.container), r.name.lower(), r.ref))
    return out


def _ancestors(resource: pb.resource.Resource, key: str) -> tuple[str, ...]:
    value = resource.profile.fields.get(key)
    if value is None or not value.HasField("list_value"):
        return ()
    return tuple(v.string_value for v in value.list_value.values if v.string_value)


def _gate(
    view: AccessView,
    container: ResourceRef,
    rule: LayeredAccessRule,
    user_types: frozenset[str],
    everyone: set[ResourceRef],
) -> frozenset[ResourceRef]:
    holders = list(view.holders_of(entitlement_id(container.type, container.id, rule.container_slug)))
    if any(h.principal.type in rule.open_access_types for h in holders):
        return frozenset(everyone)
    return frozenset(h.principal for h in holders if h.principal.type in user_types)


def _reasons(
    rule: LayeredAccessRule,
    user: ResourceRef,
    gate: frozenset[ResourceRef],
    layers: Iterable[_Layered],
    container: ResourceRef,
) -> list[str]:
    reasons = [] if user in gate else [f"no {rule.container_slug} on {container}"]
    reasons.extend(f"not in the {rule.layer_slug} list of {layer.ref}" for layer in layers if user not in layer.members)
    return reasons


def render_layered(found: list[LayeredResource], output: str) -> str:
    """`table`: one line per resource (counts, then who is blocked and why); `json`: everything."""
    if output == "json":
        return json.dumps([_as_json(r) for r in found], indent=2) + "\n"
    rows = [
        [
            str(r.ref),
            r.name,
            str(r.container or ""),
            str(len(r.layers)),
            str(len(r.effective)),
            "; ".join(f"{b.user} ({', '.join(b.reasons)})" for b in r.blocked),
        ]
        for r in found
    ]
    return format_table(["RESOURCE", "NAME", "CONTAINER", "LAYERS", "EFFECTIVE", "LISTED BUT BLOCKED"], rows)


def _as_json(found: LayeredResource) -> dict[str, object]:
    return {
        "resource": str(found.ref),
        "name": found.name,
        "container": str(found.container or ""),
        "layers": [str(layer) for layer in found.layers],
        "effective": [str(user) for user in found.effective],
        "blocked": [{"user": str(b.user), "reasons": list(b.reasons)} for b in found.blocked],
    }
