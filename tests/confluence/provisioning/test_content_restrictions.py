"""Granting and revoking view/edit on restricted content through the real gRPC server, against
the simulated site: idempotent, by user and by group, and a warning when a new viewer still
cannot view (read from the site's state independently)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import grpc
import pytest
from confluence_simulator import SimulatedSite, SiteSpec, SiteState
from confluence_simulator.content_spec import ContentSpec
from confluence_simulator.content_state import Content

from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.sync.client import ConnectorClient
from baton_confluence.confluence.client import BasicAuth, ConfluenceHTTP
from baton_confluence.confluence.client.capability_content_restrictions import (
    ContentItem,
    ContentType,
    RestrictionList,
)
from baton_confluence.confluence.connector import ConfluenceConnector
from baton_confluence.confluence.datacenter.api import ConfluenceDataCenterAPI
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.syncers.restricted_content import RestrictedContentSyncer, content_resource
from tests.confluence.provisioning.support import EXISTS, REVOKED, grant, has, principal, revoke, warning, with_client
from tests.e2e.restricted_expected import space_readers

SPEC = SiteSpec(
    seed=31, users=30, groups=6, spaces=5, permissions_per_space=8,
    content=ContentSpec(pages_per_space=20, blogposts_per_space=2, restricted_fraction=0.5),
)


@pytest.fixture()
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC) as running:
        yield running
        assert running.internal_errors == []


def entitlement(content: Content, slug: str) -> pb.entitlement.Entitlement:
    """The entitlement as a sync stored it (profile with space and ancestors)."""
    item = ContentItem(str(content.id), ContentType(content.type), content.title,
                       tuple(str(a) for a in content.ancestors), RestrictionList(), RestrictionList())
    space = pb.resource.ResourceId(resource_type="space", resource=str(content.space_id))
    resource = content_resource(item, space, read=RestrictionList(), update=RestrictionList())
    return pb.entitlement.Entitlement(id=f"{content.type}:{content.id}:{slug}", resource=resource, slug=slug)


def passes(state: SiteState, content: Content, account: str) -> bool:
    read = content.restrictions["read"]
    return read.empty or account in read.users or any(account in state.groups[g].member_set for g in read.groups)


def humans(state: SiteState) -> list[str]:
    return sorted(u.account_id for u in state.users.values() if u.account_type == "atlassian")


def visible_content(state: SiteState) -> list[Content]:
    return [c for c in state.content.all() if not state.spaces[c.space_id].hidden]


def test_grant_and_revoke_view_and_edit_idempotently(site: SimulatedSite) -> None:
    state = site.state
    content = next(c for c in visible_content(state) if c.restricted)
    account = next(a for a in humans(state) if a not in content.restrictions["read"].users)
    group_id = next(g for g in sorted(state.groups) if g not in content.restrictions["update"].groups)

    async def scenario(client: ConnectorClient) -> None:
        view = await grant(client, entitlement(content, "view"), principal("user", account))
        assert not has(view, EXISTS) and content.restrictions["read"].users.count(account) == 1
        assert [g.id for g in view.grants] == [f"{content.type}:{content.id}:view:user:{account}"]
        assert has(await grant(client, entitlement(content, "view"), principal("user", account)), EXISTS)
        edit = await grant(client, entitlement(content, "edit"), principal("group", group_id))
        assert content.restrictions["update"].groups.count(group_id) == 1 and not has(edit, EXISTS)
        assert not has(await revoke(client, view.grants[0]), REVOKED)
        assert account not in content.restrictions["read"].users
        assert has(await revoke(client, view.grants[0]), REVOKED)
        await revoke(client, edit.grants[0])
        assert group_id not in content.restrictions["update"].groups

    with_client(site, scenario, sync_restricted_content=True)


def test_a_new_viewer_who_still_cannot_view_is_told_why(site: SimulatedSite) -> None:
    state = site.state
    by_id = {c.id: c for c in state.content.all()}
    cases = []  # (content, account, blocked by the space?, ancestors that block)
    for content in visible_content(state):
        readers = space_readers(state, content.space_id)
        for account in humans(state):
            if account in content.restrictions["read"].users:
                continue
            no_space = readers is not None and account not in readers
            blocking = [a for a in content.ancestors if not passes(state, by_id[a], account)]
            cases.append((content, account, no_space, blocking))
    blocked_by_space = next(c for c in cases if c[2] and not c[3])
    blocked_by_ancestor = next(c for c in cases if not c[2] and c[3])
    free = next(c for c in cases if not c[2] and not c[3])

    async def scenario(client: ConnectorClient) -> None:
        for content, account, no_space, blocking in (blocked_by_space, blocked_by_ancestor, free):
            response = await grant(client, entitlement(content, "view"), principal("user", account))
            assert account in content.restrictions["read"].users  # the grant itself succeeded
            said = warning(response)
            assert ("no read-space permission" in said) == no_space, said
            for ancestor in blocking:
                assert f"ancestor {ancestor}" in said
            assert bool(said) == (no_space or bool(blocking))

    with_client(site, scenario, sync_restricted_content=True)


def test_data_center_says_restriction_writes_are_not_supported() -> None:
    http = ConfluenceHTTP("https://confluence.example.com", auth=BasicAuth("u", "p"))
    options = ConfluenceOptions(domain_url="https://confluence.example.com", sync_restricted_content=True)
    connector = ConfluenceConnector(options, ConfluenceDataCenterAPI(http), owns_client=True)
    syncer = next(s for s in connector.syncers() if isinstance(s, RestrictedContentSyncer))
    content = Content(42, "page", "Salaries", 7, ())

    async def attempt() -> ConnectorError:
        try:
            with pytest.raises(ConnectorError) as caught:
                await syncer.grant(principal("user", "key-1"), entitlement(content, "view"))
            return caught.value
        finally:
            await connector.close()

    error = asyncio.run(attempt())
    assert error.code is grpc.StatusCode.UNIMPLEMENTED
    assert "not supported on Data Center" in error.message
    assert http.stats.total == 0
