"""The one builder (`confluence/builder.py`): settings in, a connector whose client has every
client setting, and each product rule checked once, before any request."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence import builder
from baton_confluence.confluence.client import (
    SPACE_ROLES_CLOUD_ONLY,
    BasicAuth,
    ConfluenceCloudAPI,
    ConfluenceHTTP,
    Deployment,
    SpaceRole,
    SpaceRolesAPI,
)
from baton_confluence.confluence.connector import ConfluenceConnector
from baton_confluence.confluence.datacenter import ConfluenceDataCenterAPI, dc_catalog
from baton_confluence.confluence.options import ConfluenceOptions
from baton_confluence.confluence.settings import ConfluenceSettings, SettingsError
from baton_confluence.confluence.sync_data import Reader
from baton_confluence.confluence.syncers import SyncContext
from baton_confluence.confluence.syncers.listings import role_page
from baton_confluence.confluence.validation import validate_site

CLOUD = {"domain_url": "https://x.atlassian.net", "username": "admin@example.com", "api_key": "t"}
DC = {"domain_url": "https://conf.example.com/confluence", "personal_access_token": "p"}


def settings(**values: Any) -> ConfluenceSettings:
    return ConfluenceSettings(**values)


def built(**values: Any) -> ConfluenceConnector:
    return builder.build_connector(settings(**values))


def close(connector: ConfluenceConnector) -> None:
    asyncio.run(connector.close())


def test_every_client_setting_reaches_the_http_client() -> None:
    connector = built(**CLOUD, concurrency=3, max_rps=4.5, http_timeout_seconds=7)
    try:
        http = connector.api.http
        assert (http.governor.settings.max_concurrency, http.governor.settings.max_rps) == (3, 4.5)
        assert http._client.timeout.read == 7.0
        assert connector.options.concurrency == 3
    finally:
        close(connector)


@pytest.mark.parametrize(
    ("values", "api_type", "url"),
    [
        (CLOUD | {"domain_url": "https://x.atlassian.net/wiki/"}, ConfluenceCloudAPI, "https://x.atlassian.net"),
        (DC, ConfluenceDataCenterAPI, "https://conf.example.com/confluence"),
    ],
)
def test_the_product_decides_the_api_and_the_site_url(values: dict[str, Any], api_type: type, url: str) -> None:
    connector = built(**values)
    try:
        assert type(connector.api) is api_type
        assert connector.options.domain_url == connector.api.http.base_url == url
    finally:
        close(connector)


def test_an_impossible_selection_fails_before_any_client_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_client(*args: Any, **kwargs: Any) -> ConfluenceHTTP:
        raise AssertionError("a client was built")

    monkeypatch.setattr(builder, "http_client", no_client)
    # an unknown noun anywhere; archive-page exists on Cloud only
    for values, noun, verb in ((CLOUD, "pages", ""), (DC, "page", "archive")):
        with pytest.raises(ConnectorError) as caught:
            built(**values, noun=[noun], verb=[verb] if verb else [])
        assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT


def test_use_rbac_on_data_center_is_one_settings_error_wherever_it_is_asked() -> None:
    """The rule lives in one place (`require_space_roles`, client/capability_space_roles.py): the
    builder, a hand-built connector, Validate and a role lookup all raise its one error, before
    any request; the Data Center adapter has no role methods at all (no raising stubs)."""
    with pytest.raises(SettingsError, match="--use-rbac") as from_builder:
        built(**DC, use_rbac=True)
    assert str(from_builder.value) == SPACE_ROLES_CLOUD_ONLY

    async def everywhere() -> list[str]:
        raised: list[str] = []
        async with ConfluenceHTTP(DC["domain_url"], auth=BasicAuth("u", "p")) as http:
            api = ConfluenceDataCenterAPI(http)
            assert not isinstance(api, SpaceRolesAPI)
            for name in ("space_role_mode", "list_space_roles", "set_role_assignments", "probe_space_roles"):
                assert not hasattr(api, name), name
            context = SyncContext(api=api, options=ConfluenceOptions(domain_url=DC["domain_url"]), catalog=dc_catalog())
            calls = [
                lambda: _construct(api),
                lambda: validate_site(api, ConfluenceOptions(domain_url=DC["domain_url"], use_rbac=True)),
                lambda: role_page(context, "", Reader.ROLE_LISTING),
            ]
            for call in calls:
                try:
                    await call()
                except SettingsError as err:
                    raised.append(str(err))
        return raised

    assert asyncio.run(everywhere()) == [SPACE_ROLES_CLOUD_ONLY] * 3


async def _construct(api: ConfluenceDataCenterAPI) -> None:
    ConfluenceConnector(ConfluenceOptions(domain_url=DC["domain_url"], use_rbac=True), api)


def test_the_exit_code_of_the_rule_is_a_usage_error() -> None:
    from baton_confluence.cli.errors import EXIT_USAGE, describe

    assert describe(SettingsError(SPACE_ROLES_CLOUD_ONLY)) == (SPACE_ROLES_CLOUD_ONLY, EXIT_USAGE)


def test_capabilities_connector_registers_every_type_without_io() -> None:
    connector = builder.capabilities_connector()
    try:
        assert connector.api.deployment is Deployment.CLOUD
        assert [s.resource_type().id for s in connector.syncers()] == [
            "user",
            "group",
            "space",
            "space_role",
            "space_role_assignment",
            "access_class",
            "site",
            "page",
            "blogpost",
        ]
        assert connector.requests_sent() == 0
    finally:
        close(connector)


def test_space_role_record_is_what_the_role_listing_parses() -> None:
    from baton_confluence.confluence.client import records

    raw = {"id": 7, "name": "Viewer", "spacePermissions": ["read/space", 3], "description": None}
    assert records.space_role(raw) == SpaceRole(
        id="7", name="Viewer", description="", space_permissions=("read/space",)
    )
