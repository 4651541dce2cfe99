"""Fixtures: a fresh simulated site per test (provisioning writes to it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from confluence_simulator import SimulatedSite

from tests.confluence.provisioning.support import RBAC_SPEC, SPEC


@pytest.fixture()
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC) as running:
        yield running
        assert running.internal_errors == []


@pytest.fixture()
def rbac_site() -> Iterator[SimulatedSite]:
    with SimulatedSite(RBAC_SPEC) as running:
        yield running
        assert running.internal_errors == []
