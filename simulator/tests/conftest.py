"""Fixtures for the simulated-site tests (the helpers they share are in site_helpers.py).

These tests belong to the simulator package; they import it, never baton_confluence. The folder
has no __init__.py: pytest puts it on sys.path, which keeps its modules apart from the
repository's `tests` package.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from confluence_simulator import SimulatedSite
from site_helpers import SMALL, client_for


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
