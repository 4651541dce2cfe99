"""Fixtures: a representative fake site and a way to run a connector against it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
import respx

from baton_confluence.baton import pb
from baton_confluence.baton.syncer import ResourceGetter
from baton_confluence.confluence.client import BasicAuth, ConfluenceCloudAPI, ConfluenceHTTP
from baton_confluence.confluence.connector import ConfluenceConnector
from baton_confluence.confluence.options import ConfluenceOptions
from tests.confluence.fake_site import BASE, FakeSite, assignment, permission, space, user

T = TypeVar("T")
Scenario = Callable[[ConfluenceConnector], Awaitable[T]]


def options(**overrides: Any) -> ConfluenceOptions:
    values: dict[str, Any] = {"domain_url": BASE}
    values.update(overrides)
    return ConfluenceOptions(**values)


def run_against(site: FakeSite, scenario: Scenario[T], **option_overrides: Any) -> T:
    """Run `scenario(connector)` with a connector whose HTTP client talks to `site`."""

    async def go() -> T:
        with respx.mock(base_url=BASE, assert_all_called=False) as router:
            router.route().mock(side_effect=site.handle)
            http = ConfluenceHTTP(BASE, auth=BasicAuth("admin@example.com", "secret-token"), max_attempts=1)
            connector = ConfluenceConnector(options(**option_overrides), ConfluenceCloudAPI(http), owns_client=True)
            try:
                return await scenario(connector)
            finally:
                await connector.close()

    return asyncio.run(go())


def standard_site(page_size: int = 2) -> FakeSite:
    """Humans in search and/or groups, a bot, a deactivated user, four kinds of spaces."""
    alice = user("alice", email="alice@example.com")
    bob = user("bob")  # email hidden
    carol = user("carol", email="carol@example.com", active=False)
    dave = user("dave", email="dave@example.com")  # beyond search: only in groups
    bot = user("bot", kind="app")
    return FakeSite(
        page_size=page_size,
        search=[alice, bob, carol, bot],
        groups=[
            {"id": "g1", "name": "engineering", "type": "group"},
            {"id": "g2", "name": "admins", "type": "group"},
            {"id": "g3", "name": "everyone", "type": "group"},
        ],
        members={"g1": [alice, bob, bot], "g2": [alice, dave], "g3": [alice, bob, carol, dave]},
        spaces=[
            space(1, "ENG"),
            space(2, "~alice", kind="personal"),
            space(3, "OLD", status="archived"),
            space(4, "DOC"),
        ],
        permissions={
            "1": [
                permission("user", "alice", "read", "space"),
                permission("group", "g1", "read", "space"),
                permission("group", "g1", "create", "page"),
                permission("user", "bot", "read", "space"),
                permission("access_class", "anonymous", "read", "space"),
                permission("user", "alice", "update", "space"),
                permission("user", "alice", "create", "whiteboard"),
            ],
            "2": [permission("user", "alice", "administer", "space")],
            "4": [permission("group", "g2", "export", "space")],
        },
        roles=[
            {"id": "r-admin", "name": "Admin", "description": "Runs the space", "spacePermissions": ["read/space"]},
            {"id": "r-viewer", "name": "Viewer", "description": "Reads", "spacePermissions": ["read/space"]},
            {"id": "r-editor", "name": "Editor", "description": "Edits", "spacePermissions": []},
        ],
        assignments={
            "1": [
                assignment("USER", "alice", "r-admin"),
                assignment("GROUP", "g1", "r-viewer"),
                assignment("ACCESS_CLASS", "anonymous-users", "r-viewer"),
                assignment("USER", "bot", "r-viewer"),
            ],
            "4": [assignment("GROUP", "g2", "r-admin")],
        },
    )


@pytest.fixture
def site() -> FakeSite:
    return standard_site()


def get_by_id(site: FakeSite, type_id: str, resource_id: str, **option_overrides: Any) -> pb.resource.Resource:
    """`ResourceGetter.get` of the `type_id` syncer, as the engine calls it for an unlisted principal."""

    async def scenario(connector: ConfluenceConnector) -> pb.resource.Resource:
        syncer = next(s for s in connector.syncers() if s.resource_type().id == type_id)
        assert isinstance(syncer, ResourceGetter)
        return await syncer.get(pb.resource.ResourceId(resource_type=type_id, resource=resource_id))

    return run_against(site, scenario, **option_overrides)
