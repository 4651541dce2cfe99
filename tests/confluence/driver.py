"""A miniature sync engine: drives a connector's syncers page by page, the way the real one does.

Top-level listings of all types run concurrently, then every resource (children included) is
swept with bounded concurrency: child listings, static entitlements, entitlements, grants. Each
page's token is checked to change, resources pass the engine's trait checks.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.ids import entitlement_id
from baton_confluence.baton.sync.response_checks import check_resource, skips
from baton_confluence.baton.syncer import Connector, Page, ResourceSyncer, StaticEntitlements

T = TypeVar("T")
MAX_PAGES = 100_000


@dataclass
class SyncOutput:
    resources: dict[str, list[pb.resource.Resource]] = field(default_factory=lambda: defaultdict(list))
    entitlements: list[pb.entitlement.Entitlement] = field(default_factory=list)
    grants: list[pb.grant.Grant] = field(default_factory=list)
    pages: int = 0
    in_order: list[pb.resource.Resource] = field(default_factory=list)  # as stored, children last

    def ids(self, resource_type: str) -> list[str]:
        return [r.id.resource for r in self.resources[resource_type]]

    def grant_ids(self) -> list[str]:
        return [g.id for g in self.grants]

    def entitlement_ids(self) -> list[str]:
        return [e.id for e in self.entitlements]


async def all_pages(fetch: Callable[[str], Awaitable[Page[T]]], output: SyncOutput | None = None) -> list[T]:
    items: list[T] = []
    token = ""
    for _ in range(MAX_PAGES):
        page = await fetch(token)
        if output is not None:
            output.pages += 1
        items.extend(page.items)
        if not page.next_token:
            return items
        assert page.next_token != token, "a page handed back its own token"
        token = page.next_token
    raise AssertionError("listing never ended")


async def run_sync(connector: Connector, *, concurrency: int = 8, cleanup: bool = True) -> SyncOutput:
    output = SyncOutput()
    syncers = {s.resource_type().id: s for s in connector.syncers()}
    await asyncio.gather(*(_list(s, None, output) for s in syncers.values()))
    templates = {tid: await _static(s) for tid, s in syncers.items()}
    done = 0
    while done < len(output.in_order):
        queue = output.in_order[done:]
        done += len(queue)
        for start in range(0, len(queue), concurrency):
            batch = queue[start : start + concurrency]
            await asyncio.gather(*(_sweep(syncers, templates, r, output) for r in batch))
    if cleanup:
        await connector.cleanup("test-sync")
    return output


async def _list(syncer: ResourceSyncer, parent: pb.resource.ResourceId | None, output: SyncOutput) -> None:
    resource_type = syncer.resource_type()
    found = await all_pages(lambda token: syncer.list(parent, token), output)
    for resource in found:
        check_resource(resource, resource_type)
    output.resources[resource_type.id].extend(found)
    output.in_order.extend(found)


async def _static(syncer: ResourceSyncer) -> list[pb.entitlement.Entitlement]:
    if not isinstance(syncer, StaticEntitlements):
        return []
    return await all_pages(syncer.static_entitlements)


async def _sweep(
    syncers: dict[str, ResourceSyncer],
    templates: dict[str, list[pb.entitlement.Entitlement]],
    resource: pb.resource.Resource,
    output: SyncOutput,
) -> None:
    syncer = syncers[resource.id.resource_type]
    for child in ann.find_all(resource.annotations, pb.resource_tree.ChildResourceType):
        if child.resource_type_id in syncers:
            await _list(syncers[child.resource_type_id], resource.id, output)
    output.entitlements.extend(_materialise(templates.get(resource.id.resource_type, []), resource))
    skip_entitlements, skip_grants = skips(resource, syncer.resource_type())
    if not skip_entitlements:
        output.entitlements.extend(await all_pages(lambda t: syncer.entitlements(resource, t), output))
    if not skip_grants:
        output.grants.extend(await all_pages(lambda t: syncer.grants(resource, t), output))


def _materialise(templates: list[pb.entitlement.Entitlement], resource: pb.resource.Resource) -> list[Any]:
    made = []
    for template in templates:
        entitlement = pb.entitlement.Entitlement()
        entitlement.CopyFrom(template)
        entitlement.resource.CopyFrom(resource)
        entitlement.id = entitlement_id(resource.id.resource_type, resource.id.resource, template.slug)
        made.append(entitlement)
    return made
