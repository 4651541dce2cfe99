"""`inspect report`: one self-contained HTML page for an access review (docs/inspect.md).

The page carries its own CSS and JavaScript and needs no network. Data is embedded as
gzip-compressed, base64-encoded blocks the browser inflates with DecompressionStream:

- `meta` (JSON): the sync, every resource (`nodes`), every entitlement, the sources grants
  came through, the highlights and, when the file holds an earlier full sync, the changes;
- `grants-<n>` (little-endian int32 triples: entitlement, principal, route), written in
  entitlement-id order while the grants are read, so the page inflates only the blocks a
  resource's entitlements fall in, and all of them only when an account's access is asked for.

Route: 0 direct; k > 0 only through `vias[k - 1]` (a list of source entitlement indexes);
k < 0 directly and through `vias[-k - 1]`.
"""

from __future__ import annotations

import base64
import gzip
import json
import sys
import time
from array import array
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from baton_confluence.baton import pb
from baton_confluence.baton.c1z import C1ZReader, SyncRun
from baton_confluence.baton.inspect import diff, dormancy
from baton_confluence.baton.inspect.access import (
    AccessView,
    Holding,
    InspectError,
    ResourceInfo,
    ResourceRef,
    ResourceResolver,
    entitlement_slug,
    resource_info,
)
from baton_confluence.baton.inspect.export import replaced_atomically
from baton_confluence.baton.inspect.report_layered import restricted_meta
from baton_confluence.baton.inspect.review import ADMINISTRATIVE_PREFIX, ReviewRules, ReviewTally
from baton_confluence.baton.inspect.site_review import SiteTally

GRANTS_PER_BLOCK = 32_768
# Lists longer than this are cut on the page (with the full count shown): the highlights and
# the changes are for reading, the export has everything.
LIST_LIMIT = 1_000
_ASSETS = resources.files("baton_confluence.baton.inspect") / "assets"


@dataclass
class _Tables:
    """Index numbers the grant blocks refer to."""

    types: list[str] = field(default_factory=list)
    type_index: dict[str, int] = field(default_factory=dict)
    nodes: list[list[Any]] = field(default_factory=list)
    infos: dict[ResourceRef, ResourceInfo] = field(default_factory=dict)
    node_index: dict[ResourceRef, int] = field(default_factory=dict)
    entitlements: list[list[Any]] = field(default_factory=list)
    entitlement_index: dict[str, int] = field(default_factory=dict)
    vias: list[list[int]] = field(default_factory=list)
    via_index: dict[tuple[int, ...], int] = field(default_factory=dict)

    def type_of(self, type_id: str) -> int:
        if type_id not in self.type_index:
            self.type_index[type_id] = len(self.types)
            self.types.append(type_id)
        return self.type_index[type_id]

    def node(self, info: ResourceInfo) -> int:
        found = self.node_index.get(info.ref)
        if found is None:
            found = self.node_index[info.ref] = len(self.nodes)
            self.infos[info.ref] = info
            node = [
                self.type_of(info.ref.type),
                info.ref.id,
                info.name,
                info.key,
                info.email,
                info.account_type.value,
                info.status.value,
            ]
            if info.last_active:  # only accounts with a date carry an 8th field: no cost without them
                node.append(info.last_active_text)
            self.nodes.append(node)
        return found

    def entitlement(self, entitlement_id: str, owner: int, slug: str) -> int:
        found = self.entitlement_index.get(entitlement_id)
        if found is None:
            found = self.entitlement_index[entitlement_id] = len(self.entitlements)
            self.entitlements.append([owner, slug, entitlement_id])
        return found

    def route(self, holding: Holding, view: AccessView) -> int:
        if holding.direct and not holding.via:
            return 0  # (a derived grant with no source recorded gets an empty list of sources)
        sources = tuple(
            self.entitlement(
                v.entitlement_id, self.node(view.resolver.info(v.resource)), view.resolver.slug(v.entitlement_id)
            )
            for v in holding.via
        )
        index = self.via_index.get(sources)
        if index is None:
            index = self.via_index[sources] = len(self.vias)
            self.vias.append(list(sources))
        return -(index + 1) if holding.direct else index + 1


def write_report(reader: C1ZReader, path: Path, rules: ReviewRules) -> str:
    """Write the page; returns one line saying what it holds."""
    started = time.monotonic()
    if reader.sync_id is None:
        raise InspectError(f"{reader.path}: holds no full sync to review; run a sync first")
    view = AccessView(reader)
    tables = _Tables()
    traits = {rt.id: set(rt.traits) for rt in reader.resource_types()}
    for rtype in traits:
        tables.type_of(rtype)
    for resource in reader.resources():
        tables.node(resource_info(resource))
    # Entitlements numbered in id order, the order grants are read in: a resource's entitlements
    # share its id as a prefix, so they are adjacent and each block covers a range of them.
    for ent in reader.entitlements_in_id_order(reader.sync_id):
        owner = ResourceRef(ent.resource.id.resource_type, ent.resource.id.resource)
        tables.entitlement(ent.id, tables.node(view.resolver.info(owner)), entitlement_slug(ent))
    tally = ReviewTally(
        rules,
        user_types=frozenset(t for t, ts in traits.items() if pb.resource.ResourceType.TRAIT_USER in ts),
        membership_types=frozenset(t for t, ts in traits.items() if pb.resource.ResourceType.TRAIT_GROUP in ts),
    )
    with replaced_atomically(path) as out:
        out.write(_asset("head.html"))
        out.write(f"<style>{_asset('report.css')}</style>\n</head>\n<body>\n")
        out.write(_asset("body.html"))
        blocks, grants = _write_grant_blocks(view, tables, tally, out)
        meta = _meta(reader, view, tables, tally, blocks, grants)
        _write_block(out, "meta", json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode(), {})
        out.write(f"<script>{_asset('report.js')}</script>\n</body>\n</html>\n")
    size = path.stat().st_size
    seconds = time.monotonic() - started
    return f"wrote {path} ({size / 1_048_576:.1f} MiB, {grants:,} grants in {len(blocks)} blocks) in {seconds:.1f}s"


def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def _write_grant_blocks(
    view: AccessView, tables: _Tables, tally: ReviewTally, out: TextIO
) -> tuple[list[dict[str, int]], int]:
    blocks: list[dict[str, int]] = []
    triples = array("i")
    span = [0, 0]  # the lowest and highest entitlement index in the block being filled
    grants = 0

    def flush() -> None:
        if sys.byteorder != "little":
            triples.byteswap()
        block = {"first": span[0], "last": span[1], "count": len(triples) // 3}
        _write_block(out, f"grants-{len(blocks)}", triples.tobytes(), block)
        blocks.append(block)
        del triples[:]

    for holding in view.all_holdings(by_entitlement=True):
        entitlement = tables.entitlement_index.get(holding.entitlement_id)
        if entitlement is None:  # a grant of an entitlement the sync does not list
            owner = tables.node(view.resolver.info(holding.resource))
            entitlement = tables.entitlement(holding.entitlement_id, owner, holding.slug)
        principal = tables.node(view.resolver.info(holding.principal))
        if not triples:
            span[:] = [entitlement, entitlement]
        triples.extend((entitlement, principal, tables.route(holding, view)))
        span[:] = [min(span[0], entitlement), max(span[1], entitlement)]
        tally.add(holding)
        grants += 1
        if len(triples) >= 3 * GRANTS_PER_BLOCK:
            flush()
    if triples:
        flush()
    return blocks, grants


def _write_block(out: TextIO, block_id: str, raw: bytes, attributes: dict[str, int]) -> None:
    data = base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode("ascii")
    attrs = "".join(f' data-{k}="{v}"' for k, v in attributes.items())
    out.write(f'<script type="application/gzip-base64" id="{block_id}"{attrs}>{data}</script>\n')


def _meta(
    reader: C1ZReader,
    view: AccessView,
    tables: _Tables,
    tally: ReviewTally,
    blocks: list[dict[str, int]],
    grants: int,
) -> dict[str, Any]:
    run = reader.current_sync()
    n = tables.node_index
    limit = LIST_LIMIT
    highlights = {
        "inactive": [[n[ref], count] for ref, count in tally.inactive_with_access(tables.infos)],
        "serviceAdmins": [[n[ref], [n[r] for r in rs]] for ref, rs in tally.service_admins(tables.infos)],
        "open": [[n[res], n[who], slugs] for res, who, slugs in tally.open_resources()],
        "manyAdmins": [[n[ref], count] for ref, count in tally.many_admins()],
        "directUsers": [[n[ref], count] for ref, count in tally.direct_users()],
        "adminSlugs": sorted(tally.rules.admin_slugs),
        "adminPrefix": ADMINISTRATIVE_PREFIX,
        "manyThreshold": tally.rules.many_admin_threshold,
        **_dormancy_highlights(run, tables, tally),
    }
    cut = {k: len(v) for k, v in highlights.items() if isinstance(v, list) and len(v) > limit and k != "adminSlugs"}
    for key in cut:
        highlights[key] = highlights[key][:limit]  # type: ignore[index]
    highlights["site"] = _site_highlights(view, tables, tally)
    return {
        "file": reader.path.name,
        "sync": {
            "id": run.id if run else "",
            "started": run.started_at if run else "",
            "ended": run.ended_at if run else "",
        },
        "grants": grants,
        "types": tables.types,
        "userTypes": sorted(tally.user_types),
        "groupTypes": sorted(tally.membership_types),
        "nodes": tables.nodes,
        "entitlements": tables.entitlements,
        "vias": tables.vias,
        "blocks": blocks,
        "highlights": highlights,
        "highlightTotals": cut,
        "changes": _changes(reader),
        "listLimit": limit,
        "restricted": restricted_meta(reader, tally.rules.layered, lambda ref: tables.node(view.resolver.info(ref))),
    }


def _dormancy_highlights(run: SyncRun | None, tables: _Tables, tally: ReviewTally) -> dict[str, Any]:
    """`activity` (whether the sync has dates, "now", the threshold), `dormant` ([account, holdings])
    and `dormantAdmins` ([account, [resources it administers]]); dates are in the nodes."""
    rules = tally.rules
    synced = any(info.last_active is not None for info in tables.infos.values())
    rule = dormancy.Dormancy(now=dormancy.sync_end(run), days=rules.dormant_days, synced=synced)
    dormant = dormancy.dormant_accounts(tally, tables.infos, rule)
    n = tables.node_index
    return {
        "activity": {
            "synced": synced,
            "now": rule.now.strftime("%Y-%m-%dT%H:%M:%SZ") if rule.now else "",
            "days": rules.dormant_days,
            "option": rules.activity_option,
        },
        "dormant": [[n[ref], count] for ref, count in dormant],
        "dormantAdmins": [[n[ref], [n[r] for r in rs]] for ref, rs in dormancy.dormant_admins(tally, dormant)],
    }


def _site_highlights(view: AccessView, tables: _Tables, tally: ReviewTally) -> dict[str, Any]:
    """The site's global permissions: `resources` (the site resources), `permissions` ([entitlement,
    accounts holding it, [principals granted it directly], how many were, [[group, members via it]]],
    administration first) and `admins` ([account, entitlement, route] of accounts that can
    administer the site)."""
    site: SiteTally = tally.site
    site_types = tally.rules.site_types
    resources = [i for i, node in enumerate(tables.nodes) if tables.types[node[0]] in site_types]
    on_site = set(resources)
    permissions: list[tuple[bool, str, list[Any]]] = []  # (not administrative, entitlement id, row)
    for index, (owner, slug, entitlement_id) in enumerate(tables.entitlements):
        if owner not in on_site:
            continue
        held = site.permission(entitlement_id)
        groups = sorted(held.via_members.items(), key=lambda item: (-item[1], str(item[0])))
        row = [
            index,
            held.accounts,
            [tables.node(view.resolver.info(ref)) for ref in held.direct],
            held.direct_total,
            [[tables.node(view.resolver.info(ref)), count] for ref, count in groups],
        ]
        permissions.append((not tally.rules.administers(slug), entitlement_id, row))
    admins = [
        [
            tables.node(view.resolver.info(h.principal)),
            tables.entitlement_index[h.entitlement_id],
            tables.route(h, view),
        ]
        for h in site.admins
        if h.entitlement_id in tables.entitlement_index
    ]
    return {
        "resources": resources,
        "permissions": [row for _, _, row in sorted(permissions, key=lambda p: p[:2])],
        "admins": admins,
        "adminsTotal": site.admins_total,
    }


def _changes(reader: C1ZReader) -> dict[str, Any] | None:
    """What was added and removed since the full sync before the reviewed one (None without one):
    per kind and change the count, the first ids, and for each id a label in names (read in the
    sync that holds the object: the later one for additions, the earlier for removals)."""
    try:
        pair = diff.choose_syncs(reader, None, reader.sync_id)
    except InspectError:
        return None
    out: dict[str, Any] = {"from": pair.before.id, "fromEnded": pair.before.ended_at, "to": pair.after.id}
    for change, sync_id in ((diff.Change.ADDED, pair.after.id), (diff.Change.REMOVED, pair.before.id)):
        resolver = ResourceResolver(reader, sync_id)
        for kind in diff.Kind:
            ids: list[str] = []
            for external_id in diff.changes(reader, pair, kind, change):
                if len(ids) == LIST_LIMIT:
                    break
                ids.append(external_id)
            out[f"{kind.value}s_{change.value}"] = {
                "count": diff.count(reader, pair, kind, change),
                "ids": ids,
                "labels": [_label(reader, resolver, sync_id, kind, i) for i in ids],
            }
    return out


def _label(reader: C1ZReader, resolver: ResourceResolver, sync_id: str, kind: diff.Kind, external_id: str) -> str:
    """`Ada Lovelace — read-space on Handbook` for a grant, `read-space on Handbook` for an
    entitlement, the name for a resource."""
    if kind == diff.Kind.RESOURCE:
        rtype, _, rid = external_id.partition(":")
        return resolver.info(ResourceRef(rtype, rid)).name
    if kind == diff.Kind.ENTITLEMENT:
        owner = reader.entitlement_owner_in(sync_id, external_id)
        on = resolver.info(ResourceRef(*owner)).name if owner else "?"
        return f"{resolver.slug(external_id)} on {on}"
    parties = reader.grant_parties_in(sync_id, external_id)
    if parties is None:
        return external_id
    who = resolver.info(ResourceRef(*parties.principal)).name
    return f"{who} — {resolver.slug(parties.entitlement_id)} on {resolver.info(ResourceRef(*parties.resource)).name}"
