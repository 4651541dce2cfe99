"""A 401 renews the credential once per refused token: a call whose renewed token also runs out
(other calls spent it) renews again; a token that is always refused ends at max_attempts."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import respx

from baton_confluence.baton.errors import ConnectorError
from tests.confluence.client.conftest import BASE

PATH = "/wiki/rest/api/group"


class CountingTokens:
    """RenewableCredentials whose token number goes up by one on each renewal."""

    def __init__(self) -> None:
        self.number = 1
        self.renewals = 0

    async def authorization(self) -> str:
        return f"Bearer token-{self.number}"

    async def renew(self, rejected: str) -> None:
        if rejected == await self.authorization():
            self.number += 1
            self.renewals += 1

    @property
    def secrets(self) -> tuple[str, ...]:
        return ()

    @property
    def header(self) -> str:
        return ""

    @property
    def hint(self) -> str:
        return "check the token"

    async def aclose(self) -> None:
        return None


def answer_for(accepted: set[str]) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers.get("Authorization") in accepted:
            return httpx.Response(200, json={"ok": 1})
        return httpx.Response(401, json={"message": "Unauthorized"})

    return answer


def test_a_renewed_token_that_is_refused_too_is_renewed_again(make_http: Any) -> None:
    tokens = CountingTokens()

    async def scenario() -> Any:
        with respx.mock(base_url=BASE, assert_all_called=False) as router:
            router.get(PATH).mock(side_effect=answer_for({"Bearer token-3"}))
            return await make_http(auth=tokens).get_json(PATH)

    response = asyncio.run(scenario())
    assert response.data == {"ok": 1}
    assert tokens.renewals == 2  # token-1 and token-2 were refused, once each


def test_a_token_always_refused_ends_at_max_attempts(make_http: Any) -> None:
    tokens = CountingTokens()

    async def scenario() -> None:
        with respx.mock(base_url=BASE, assert_all_called=False) as router:
            router.get(PATH).mock(side_effect=answer_for(set()))
            await make_http(auth=tokens, max_attempts=3).get_json(PATH)

    with pytest.raises(ConnectorError):
        asyncio.run(scenario())
    assert tokens.renewals == 2  # attempts 1 and 2 renewed; the third attempt's refusal ends the call
