"""Token renewal under load, through the simulated gateway: a call whose retry meets a token that
the other calls in flight have already spent renews again, while a credential refused from its
first use is renewed once, then fails."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import ConfluenceCloudAPI
from tests.confluence.client.test_client_gateway_auth import make_site, oauth_settings, with_api

__all__ = ["make_site"]  # the fixture, imported to be used here

CALLS = 24


def test_many_calls_in_flight_outlive_tokens_that_last_four_calls(make_site: Any) -> None:
    site, gw = make_site(access_token_max_uses=4)

    async def scenario(api: ConfluenceCloudAPI) -> list[set[str]]:
        pages = await asyncio.gather(*(api.list_groups("") for _ in range(CALLS)))
        return [{group.id for group in page.items} for page in pages]

    assert with_api(oauth_settings(site, gw), scenario) == [set(site.state.groups)] * CALLS
    assert gw.tokens.expired_uses > 0  # tokens did die under the calls in flight
    assert site.internal_errors == []


def test_a_credential_refused_from_its_first_use_is_renewed_once_then_fails(make_site: Any) -> None:
    site, gw = make_site(access_token_max_uses=0)

    with pytest.raises(ConnectorError) as caught:
        with_api(oauth_settings(site, gw), lambda api: api.list_groups(""))
    assert caught.value.code == grpc.StatusCode.UNAUTHENTICATED
    # The first token and one renewal: a token that never served a call is not renewed twice.
    assert gw.tokens.minted["client_credentials"] == 2
