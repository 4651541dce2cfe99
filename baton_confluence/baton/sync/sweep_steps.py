"""The per-resource steps of the sync's sweep, one small strategy object each.

For every stored resource the sweep runs, in this order: list its child resources (one step per
child type its annotations name), materialise its static entitlements, list its entitlements,
list its grants. `steps_for` picks them; a resource's position is (step index, page token), so
the list must come out the same for the same resource when a sync resumes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.c1z import SyncStore
from baton_confluence.baton.ids import entitlement_id
from baton_confluence.baton.sync import completeness
from baton_confluence.baton.sync.client import ConnectorClient
from baton_confluence.baton.sync.completeness import CompletenessReport
from baton_confluence.baton.sync.progress import SyncProgress
from baton_confluence.baton.sync.response_checks import skips

PutResources = Callable[[Sequence[pb.resource.Resource], pb.resource.ResourceType], None]
ClosePrincipals = Callable[[Sequence[pb.grant.Grant]], Awaitable[None]]
SavePosition = Callable[[str], None]  # the next page token of the running step


@dataclass(frozen=True)
class SweepContext:
    """What the steps work with, shared by every resource of one sweep."""

    client: ConnectorClient
    store: SyncStore
    types: dict[str, pb.resource.ResourceType]
    static_templates: dict[str, list[pb.entitlement.Entitlement]]
    progress: SyncProgress
    report: CompletenessReport
    put_resources: PutResources
    # None in a partial sync: its grant principals belong to the full sync it is read with
    close_principals: ClosePrincipals | None


@dataclass(frozen=True)
class Page:
    items: Sequence[Any]
    next_token: str
    annotations: Sequence[Any]


class SweepStep(ABC):
    @abstractmethod
    async def run(self, ctx: SweepContext, resource: pb.resource.Resource, token: str, save: SavePosition) -> None:
        """Run the step for one resource from page `token`, calling `save` after each page that has a next one."""


class PagedStep(SweepStep):
    """A listing: fetch a page, store it, add its completeness notes, go on to the next page."""

    async def run(self, ctx: SweepContext, resource: pb.resource.Resource, token: str, save: SavePosition) -> None:
        while True:
            page = await self.fetch(ctx, resource, token)
            await self.store(ctx, page.items)
            ctx.report.add(completeness.read_notes(page.annotations))
            if not page.next_token:
                return
            token = page.next_token
            save(token)

    @abstractmethod
    async def fetch(self, ctx: SweepContext, resource: pb.resource.Resource, token: str) -> Page: ...

    @abstractmethod
    async def store(self, ctx: SweepContext, items: Sequence[Any]) -> None: ...


def _rid(resource: pb.resource.Resource) -> str:
    return f"{resource.id.resource_type}:{resource.id.resource}"


@dataclass(frozen=True)
class ChildResources(PagedStep):
    child_type: str

    async def fetch(self, ctx: SweepContext, resource: pb.resource.Resource, token: str) -> Page:
        request = pb.resource.ResourcesServiceListResourcesRequest(
            resource_type_id=self.child_type, parent_resource_id=resource.id, page_token=token
        )
        resp = await ctx.client.call(
            f"ListResources({self.child_type} of {_rid(resource)})", ctx.client.resources.ListResources, request
        )
        return Page(resp.list, resp.next_page_token, resp.annotations)

    async def store(self, ctx: SweepContext, items: Sequence[Any]) -> None:
        child_type = ctx.types.get(self.child_type)
        if child_type is not None:
            ctx.put_resources(items, child_type)


class StaticEntitlements(SweepStep):
    """The resource type's static entitlement templates, made the resource's own (no request)."""

    async def run(self, ctx: SweepContext, resource: pb.resource.Resource, token: str, save: SavePosition) -> None:
        made = []
        for template in ctx.static_templates.get(resource.id.resource_type, []):
            entitlement = pb.entitlement.Entitlement()
            entitlement.CopyFrom(template)
            entitlement.resource.CopyFrom(resource)
            slug = template.slug or template.display_name
            entitlement.id = entitlement_id(resource.id.resource_type, resource.id.resource, slug)
            if not entitlement.description:
                entitlement.description = resource.description
            made.append(entitlement)
        ctx.store.put_entitlements(made)
        ctx.progress.entitlements += len(made)


class Entitlements(PagedStep):
    async def fetch(self, ctx: SweepContext, resource: pb.resource.Resource, token: str) -> Page:
        request = pb.entitlement.EntitlementsServiceListEntitlementsRequest(resource=resource, page_token=token)
        resp = await ctx.client.call(
            f"ListEntitlements({_rid(resource)})", ctx.client.entitlements.ListEntitlements, request
        )
        return Page(resp.list, resp.next_page_token, resp.annotations)

    async def store(self, ctx: SweepContext, items: Sequence[Any]) -> None:
        kept = [e for e in items if e.resource.id.resource_type in ctx.types]
        ctx.store.put_entitlements(kept)
        ctx.progress.entitlements += len(kept)


class Grants(PagedStep):
    async def fetch(self, ctx: SweepContext, resource: pb.resource.Resource, token: str) -> Page:
        request = pb.grant.GrantsServiceListGrantsRequest(resource=resource, page_token=token)
        resp = await ctx.client.call(f"ListGrants({_rid(resource)})", ctx.client.grants.ListGrants, request)
        return Page(resp.list, resp.next_page_token, resp.annotations)

    async def store(self, ctx: SweepContext, items: Sequence[Any]) -> None:
        if ctx.close_principals is not None:
            await ctx.close_principals(items)
        kept = []
        for g in items:
            if g.entitlement.resource.id.resource_type not in ctx.types:
                continue  # a type left out of this sync on purpose (resource_type_ids)
            if g.principal.id.resource_type not in ctx.types:
                # Not silently: the connector named a principal type it never declared.
                ctx.report.add({f"{completeness.UNDECLARED_TYPE}.{g.principal.id.resource_type}": 1})
                continue
            kept.append(g)
        ctx.store.put_grants(kept)
        ctx.progress.grants += len(kept)


STATIC_ENTITLEMENTS = StaticEntitlements()
ENTITLEMENTS = Entitlements()
GRANTS = Grants()


def steps_for(
    ctx: SweepContext, resource: pb.resource.Resource, *, skip_entitlements_and_grants: bool, skip_grants: bool
) -> list[SweepStep]:
    """The steps one resource needs, in order (the same list every time, for resuming)."""
    resource_type = ctx.types.get(resource.id.resource_type)
    if resource_type is None:
        return []
    steps: list[SweepStep] = [
        ChildResources(c.resource_type_id)
        for c in ann.find_all(resource.annotations, pb.resource_tree.ChildResourceType)
    ]
    if skip_entitlements_and_grants:
        return steps
    skip_entitlements, skip_type_grants = skips(resource, resource_type)
    if resource.id.resource_type in ctx.static_templates:
        steps.append(STATIC_ENTITLEMENTS)
    if not skip_entitlements:
        steps.append(ENTITLEMENTS)
    if not (skip_type_grants or skip_grants):
        steps.append(GRANTS)
    return steps
