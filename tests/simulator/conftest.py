"""Shared fixtures for the simulated-site tests: small sites, authenticated clients, page walkers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
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


@pytest.fixture(scope="module")
def site() -> Iterator[SimulatedSite]:
    """A read-mostly site shared by a module's tests (tests that write use their own site)."""
    with SimulatedSite(SMALL) as s:
        yield s
        assert s.internal_errors == []


@pytest.fixture()
def fresh_site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SMALL) as s:
        yield s
        assert s.internal_errors == []


@pytest.fixture()
def client(site: SimulatedSite) -> Iterator[httpx.Client]:
    with client_for(site) as c:
        yield c


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
