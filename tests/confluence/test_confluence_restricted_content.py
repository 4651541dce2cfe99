"""The restricted-content syncers against the simulated site, in process: the paths a full sync
rarely takes (restriction endpoints gone while the listing works, grants read after a restart,
content deleted between listing and grants), each counted in the completeness report."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator.content_spec import ContentSpec

from baton_confluence.baton import pb
from baton_confluence.baton.sync.completeness import read_notes
from baton_confluence.baton.syncer import Page
from baton_confluence.confluence.client import BasicAuth, ConfluenceCloudAPI, ConfluenceHTTP
from baton_confluence.confluence.connector import ConfluenceConnector
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.syncers.restricted_content import RestrictedContentSyncer
from tests.confluence.driver import run_sync

T = TypeVar("T")
CONTENT = ContentSpec(pages_per_space=40, blogposts_per_space=0, restricted_fraction=0.4, inline_limit=2,
                      big_list_fraction=0.5)
SPEC = SiteSpec(seed=3, users=30, groups=5, spaces=3, content=CONTENT)


def with_connector(spec: SiteSpec, scenario: Callable[[ConfluenceConnector, SimulatedSite], Awaitable[T]]) -> T:
    with SimulatedSite(spec) as site:

        async def go() -> T:
            http = ConfluenceHTTP(site.url, auth=BasicAuth(spec.username, spec.api_token), max_attempts=1)
            options = ConfluenceOptions(domain_url=site.url, sync_restricted_content=True)
            connector = ConfluenceConnector(options, ConfluenceCloudAPI(http), owns_client=True)
            try:
                return await scenario(connector, site)
            finally:
                await connector.close()

        return asyncio.run(go())


def page_syncer(connector: ConfluenceConnector) -> RestrictedContentSyncer:
    return next(s for s in connector.syncers() if isinstance(s, RestrictedContentSyncer) and s.type_id == "page")


def test_restriction_endpoints_gone_keep_what_the_listing_showed_and_count_the_rest() -> None:
    spec = replace(SPEC, content=replace(CONTENT, v1_restrictions_gone=True))

    async def scenario(connector: ConfluenceConnector, site: SimulatedSite) -> tuple[Page[Any], Counter[str]]:
        syncer = page_syncer(connector)
        space = next(s for s in site.state.spaces.values() if not s.hidden)
        connector.ctx.data.keep_space_key(str(space.id), space.key)
        listed = await syncer.list(pb.resource.ResourceId(resource_type="space", resource=str(space.id)), "")
        return listed, read_notes(list(listed.annotations))

    listed, counts = with_connector(spec, scenario)
    assert counts["restricted_content.truncated_lists_gone"] == counts["restricted_content.truncated_lists_read"] > 0
    assert listed.items  # the content is still emitted, with what the listing showed inline


def test_grants_after_a_restart_are_read_again_and_a_deleted_content_is_counted() -> None:
    async def scenario(connector: ConfluenceConnector, site: SimulatedSite) -> tuple[set[str], set[str], Counter[str]]:
        output = await run_sync(connector, cleanup=False)
        straight = {g.id for g in output.grants if g.id.startswith("page:")}
        connector.ctx.reset()  # a restarted connector: nothing from the listing is left
        syncer = page_syncer(connector)
        again: set[str] = set()
        for resource in output.resources["page"]:
            again.update(g.id for g in (await syncer.grants(resource, "")).items)
        gone = pb.resource.Resource(id=pb.resource.ResourceId(resource_type="page", resource="999999"))
        deleted = await syncer.grants(gone, "")
        return straight, again, read_notes(list(deleted.annotations))

    straight, again, counts = with_connector(SPEC, scenario)
    assert again == straight and straight
    assert counts == Counter({"restricted_content.deleted_since_listing": 1})


def test_a_space_whose_content_is_denied_is_skipped_and_counted() -> None:
    spec = replace(SPEC, denied=frozenset({"content"}))

    async def scenario(connector: ConfluenceConnector, site: SimulatedSite) -> tuple[Page[Any], Counter[str]]:
        space = next(s for s in site.state.spaces.values() if not s.hidden)
        connector.ctx.data.keep_space_key(str(space.id), space.key)
        listed = await page_syncer(connector).list(pb.resource.ResourceId(resource_type="space", resource=str(space.id)), "")
        return listed, read_notes(list(listed.annotations))

    listed, counts = with_connector(spec, scenario)
    assert listed.items == [] and listed.next_token == ""
    assert counts == Counter({"restricted_content.denied.page": 1})


def test_validate_says_when_the_content_cannot_be_listed() -> None:
    from google.rpc import error_details_pb2

    from baton_confluence.baton import annotations as ann

    def findings(spec: SiteSpec) -> list[str]:
        async def scenario(connector: ConfluenceConnector, site: SimulatedSite) -> list[str]:
            found = await connector.validate()
            return [m.message for m in ann.find_all(found, error_details_pb2.LocalizedMessage)]

        return with_connector(spec, scenario)

    assert findings(SPEC) == []
    denied = findings(replace(SPEC, denied=frozenset({"content"})))
    assert len(denied) == 1 and "cannot list the content of space" in denied[0] and "(403)" in denied[0]
