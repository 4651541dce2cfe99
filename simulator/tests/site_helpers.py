"""Helpers for the simulated-site tests: a small site, an authenticated client, page walkers."""

from __future__ import annotations

from typing import Any

import httpx
from confluence_simulator import SimulatedSite, SiteSpec

SMALL = SiteSpec(
    seed=7,
    users=40,
    groups=10,
    spaces=14,
    permissions_per_space=10,
    guest_accounts=3,
    app_accounts=2,
    customer_accounts=1,
    members_per_group=6,
    rbac_enabled=True,
)


def client_for(site: SimulatedSite, **kwargs: Any) -> httpx.Client:
    return httpx.Client(base_url=site.url, auth=(site.spec.username, site.spec.api_token), timeout=10, **kwargs)


def walk_v1(client: httpx.Client, path: str, params: dict[str, Any]) -> tuple[list[Any], list[dict[str, Any]]]:
    """Follow `_links.next` from a v1 listing; (all results, every page body)."""
    results: list[Any] = []
    pages: list[dict[str, Any]] = []
    response = client.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        results.extend(body["results"])
        nxt = body["_links"].get("next")
        if nxt is None:
            return results, pages
        assert nxt.startswith("/rest/api/"), nxt  # relative to the /wiki context
        response = client.get(body["_links"]["context"] + nxt)


def walk_v2(client: httpx.Client, path: str, params: dict[str, Any]) -> tuple[list[Any], list[httpx.Response]]:
    """Follow `_links.next` (checked against the Link header) from a v2 listing."""
    results: list[Any] = []
    responses: list[httpx.Response] = []
    response = client.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        responses.append(response)
        body = response.json()
        results.extend(body["results"])
        nxt = body["_links"].get("next")
        if nxt is None:
            assert "rel=\"next\"" not in response.headers.get("link", "")
            return results, responses
        assert response.headers["link"].startswith(f"<{nxt}>; rel=\"next\"")
        assert nxt.startswith("/wiki/api/v2/"), nxt
        response = client.get(nxt)
