"""Restricted pages and blog posts (`--sync-restricted-content`, docs/restricted-content.md).

Each page or blog post that carries a view or edit restriction of its own becomes a resource of
type `page` or `blogpost` (id = content id, parent = its space, display name = its title), with
two entitlements, `view` and `edit`. Whoever the read restriction lists holds `view`, whoever the
update restriction lists holds `edit`; a group's grant expands to its members, as everywhere.
Content without a restriction of its own is not emitted: it is as open as its space or its
restricted ancestor. The profile keeps every ancestor's id (`ancestor_ids`, root first): the
ancestors that are restricted are exactly those that are `page` resources of the same sync, and
`inspect restricted` reads the view layers from them (Confluence's rule: a viewer must pass the
view restriction of the page and of every ancestor; edit restrictions do not inherit).

Cost: the listing is a child of each synced space (only when the option is on: the space then
carries `ChildResourceType{page}` and `{blogpost}`), so space filters apply and spaces run
concurrently within the client's rate limit; one request per 50 items, plus a content's
restriction endpoint where an inline list was truncated. The list token is the v1 offset, which
the engine checkpoints, so a killed sync resumes at the page it was reading. The lists read
while listing wait in the sync cache for the content's grants; after a restart they are read
again (two requests for that content).

A v1 content endpoint answering 410 Gone (reported for OAuth tokens on the API gateway) is
skipped for that space and content type: one log line and a completeness counter
(`restricted_content.gone.<type>`), never a failed sync.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import grpc
import structlog
from google.protobuf import struct_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.ids import entitlement_id
from baton_confluence.baton.sync.completeness import note
from baton_confluence.baton.syncer import Page, ResourceSyncer
from baton_confluence.confluence.client import (
    ConfluenceAPI,
    ContentItem,
    ContentRestrictionsAPI,
    ContentType,
    EndpointGone,
    RestrictionList,
    RestrictionOperation,
)
from baton_confluence.confluence.content_types import (
    ANCESTORS_KEY,
    CONTENT_RESOURCE_TYPES,
    EDIT,
    NAMES,
    SLUG_OF,
    SPACE_ID_KEY,
    VIEW,
    content_gone_detail,
    content_type_resource,
)
from baton_confluence.confluence.grants import grant_expanding_groups, rate_limit_annotations
from baton_confluence.confluence.provisioning.content_restrictions import ContentRestrictionProvisioner
from baton_confluence.confluence.resource_types import SPACE, group_type, user_type
from baton_confluence.confluence.syncers.context import SyncContext

log = structlog.get_logger("baton_confluence.confluence.syncers.restricted_content")

def announce_content(ctx: SyncContext, space: pb.resource.Resource, space_key: str) -> None:
    """Make a synced space list its restricted content (called by the space syncer when the option
    is on), and keep its key for the v1 listing, which takes a key, not an id."""
    for resource_type in CONTENT_RESOURCE_TYPES.values():
        space.annotations.append(ann.pack(pb.resource_tree.ChildResourceType(resource_type_id=resource_type)))
    ctx.data.keep_space_key(space.id.resource, space_key)


def restriction_api(api: ConfluenceAPI) -> ContentRestrictionsAPI | None:
    return api if isinstance(api, ContentRestrictionsAPI) else None


class RestrictedContentSyncer(ResourceSyncer, ContentRestrictionProvisioner):
    """The `page` or `blogpost` resources of one content type."""

    ctx: SyncContext  # the provisioner mixin reads it as a ProvisioningContext

    def __init__(self, ctx: SyncContext, content_type: ContentType) -> None:
        self.ctx = ctx
        self.content_type = content_type
        self.type_id = CONTENT_RESOURCE_TYPES[content_type]

    def resource_type(self) -> pb.resource.ResourceType:
        return content_type_resource(self.content_type)

    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        api = restriction_api(self.ctx.api)
        if parent is None or parent.resource_type != SPACE or api is None:
            return Page([])
        space_key = await self._space_key(parent.resource)
        try:
            page = await api.content_page(space_key, self.content_type, token)
        except EndpointGone as gone:
            log.warning(
                "confluence_restricted_content_gone",
                space_key=space_key,
                content_type=self.content_type.value,
                detail=content_gone_detail(gone, "restricted content of this space is not synced"),
            )
            return Page([], "", [note({f"restricted_content.gone.{self.type_id}": 1})])
        except ConnectorError as err:
            if err.code != grpc.StatusCode.PERMISSION_DENIED:
                raise
            log.warning(
                "confluence_restricted_content_denied",
                space_key=space_key,
                content_type=self.content_type.value,
                detail=f"{err.message}: the account may not list this space's content, so its restricted content "
                "is not synced; give the account view access to the space",
            )
            return Page([], "", [note({f"restricted_content.denied.{self.type_id}": 1})])
        counts: Counter[str] = Counter({f"restricted_content.{self.type_id}.examined": len(page.items)})
        restricted = [item for item in page.items if item.restricted]
        completed = await asyncio.gather(*(self._complete(api, item, counts) for item in restricted))
        resources = []
        for item, (read, update) in zip(restricted, completed, strict=True):
            self.ctx.data.keep_restrictions(item.id, (read, update))
            resources.append(content_resource(item, parent, read=read, update=update))
            counts[f"restricted_content.{self.type_id}.restricted"] += 1
            counts["restricted_content.groups_without_id"] += read.groups_without_id + update.groups_without_id
        annotations = rate_limit_annotations(page.rate_limit)
        annotations.append(note(counts))
        return Page(resources, page.next_token, annotations)

    async def entitlements(self, resource: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]:
        return Page([self._entitlement(resource, slug) for slug in (VIEW, EDIT)])

    async def grants(self, resource: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        lists = self.ctx.data.take_restrictions(resource.id.resource)
        if lists is None:
            # After a restart: the listing that read them is behind us, read them again.
            api = restriction_api(self.ctx.api)
            if api is None:
                return Page([])
            try:
                lists = await asyncio.gather(
                    api.restriction_subjects(resource.id.resource, RestrictionOperation.READ),
                    api.restriction_subjects(resource.id.resource, RestrictionOperation.UPDATE),
                )
            except EndpointGone as gone:
                _say_gone(gone, resource.id.resource, "its view and edit lists are not synced")
                return Page([], "", [note({"restricted_content.restriction_lists_gone": 1})])
            except ConnectorError as err:
                if err.code != grpc.StatusCode.NOT_FOUND:
                    raise
                log.info("confluence_restricted_content_deleted", content_id=resource.id.resource)
                return Page([], "", [note({"restricted_content.deleted_since_listing": 1})])
        grants: list[pb.grant.Grant] = []
        for operation, restriction in zip((RestrictionOperation.READ, RestrictionOperation.UPDATE), lists, strict=True):
            slug = SLUG_OF[operation]
            grants.extend(
                grant_expanding_groups(resource, slug, subject.type.value, subject.id)
                for subject in restriction.subjects
            )
        return Page(grants)

    async def _complete(
        self, api: ContentRestrictionsAPI, item: ContentItem, counts: Counter[str]
    ) -> tuple[RestrictionList, RestrictionList]:
        """The item's two lists, each read whole where the listing truncated it."""

        async def whole(operation: RestrictionOperation, inline: RestrictionList) -> RestrictionList:
            if inline.complete:
                return inline
            counts["restricted_content.truncated_lists_read"] += 1
            try:
                return await api.restriction_subjects(item.id, operation)
            except EndpointGone as gone:
                # What the listing showed inline is kept; the report counts the list as cut short.
                _say_gone(gone, item.id, "only the part of its list the content listing showed is synced")
                counts["restricted_content.truncated_lists_gone"] += 1
                return inline

        read, update = await asyncio.gather(
            whole(RestrictionOperation.READ, item.read), whole(RestrictionOperation.UPDATE, item.update)
        )
        return read, update

    async def _space_key(self, space_id: str) -> str:
        key = self.ctx.data.space_key(space_id)
        if key is not None:
            return key
        # After a restart the space listing that remembered it is behind us: ask once.
        space = await self.ctx.api.get_space(space_id)
        if space is None or not space.key:
            raise ConnectorError(grpc.StatusCode.NOT_FOUND, f"baton-confluence: space {space_id} has no key")
        self.ctx.data.keep_space_key(space_id, space.key)
        return space.key

    def _entitlement(self, resource: pb.resource.Resource, slug: str) -> pb.entitlement.Entitlement:
        noun = NAMES[self.content_type][1]
        verb = "view" if slug == VIEW else "edit"
        return pb.entitlement.Entitlement(
            id=entitlement_id(self.type_id, resource.id.resource, slug),
            resource=resource,
            display_name=f"Can {verb} {resource.display_name}",
            description=f"Listed in the {verb} restriction of the {noun} {resource.display_name!r} in Confluence",
            slug=slug,
            purpose=pb.entitlement.Entitlement.PurposeValue.PURPOSE_VALUE_PERMISSION,
            grantable_to=[user_type(), group_type()],
        )


def _say_gone(gone: EndpointGone, content_id: str, consequence: str) -> None:
    log.warning(
        "confluence_restriction_list_gone",
        content_id=content_id,
        detail=content_gone_detail(gone, consequence),
    )


def content_resource(
    item: ContentItem, space: pb.resource.ResourceId, *, read: RestrictionList, update: RestrictionList
) -> pb.resource.Resource:
    profile = struct_pb2.Struct()
    profile.update(
        {
            "content_type": item.type.value,
            SPACE_ID_KEY: space.resource,
            ANCESTORS_KEY: list(item.ancestor_ids),
            "view_restricted": read.restricted,
            "edit_restricted": update.restricted,
        }
    )
    return pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type=CONTENT_RESOURCE_TYPES[item.type], resource=item.id),
        parent_resource_id=space,
        display_name=item.title or item.id,
        profile=profile,
    )
