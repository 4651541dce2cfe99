"""One account by id through v2 `POST /wiki/api/v2/users-bulk`: what `get_user` falls back to when
the gateway answers its v1 endpoint with 410 Gone (reported for OAuth 2.0 tokens, docs/auth.md).

v2 has no `operations`; an account counts as active when `accountStatus` is `active` and it is not
a customer (portal-only) account, which is what an empty v1 `operations` list marks for those.
"""

from __future__ import annotations

from typing import Any

from baton_confluence.confluence.client import records
from baton_confluence.confluence.client.records import Account
from baton_confluence.confluence.client.transport import ConfluenceHTTP

USERS_BULK_PATH = "/wiki/api/v2/users-bulk"


async def account_by_id_v2(http: ConfluenceHTTP, account_id: str) -> Account | None:
    """The account, or None when the site does not know the id (users-bulk leaves it out)."""
    response = await http.post_json(USERS_BULK_PATH, {"accountIds": [account_id]}, expect=(200,), idempotent=True)
    for item in response.results():
        if item.get("accountId") == account_id:
            return account_from_v2(item)
    return None


def account_from_v2(raw: dict[str, Any]) -> Account | None:
    found = records.account(raw)
    if found is None:
        return None
    active = raw.get("accountStatus") == "active" and found.type != "customer"
    return Account(id=found.id, type=found.type, name=found.name, email=found.email, active=active, username=found.username)
