"""Fixtures for the inspect tests: a hand-made file (tests/baton/inspect/handmade.py) and a file the
real sync wrote from the simulated site, with the site's state as the oracle."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator.state import SiteState

from baton_confluence.baton.c1z import C1ZReader
from tests.baton.inspect.handmade import Handmade, write_handmade
from tests.e2e.cli import run_cli, site_env

SPEC = SiteSpec(seed=5, users=30, groups=6, spaces=10, permissions_per_space=8)


@pytest.fixture
def handmade(tmp_path: Path) -> Handmade:
    return write_handmade(tmp_path / "sync.c1z")


@pytest.fixture
def handmade_reader(handmade: Handmade) -> Iterator[C1ZReader]:
    with C1ZReader.open(handmade.path) as reader:
        yield reader


@dataclass(frozen=True)
class SyncedSite:
    path: Path
    state: SiteState


@pytest.fixture(scope="session")
def synced_site(tmp_path_factory: pytest.TempPathFactory) -> SyncedSite:
    """The simulated site synced once by the real command line (the state is not changed after)."""
    folder = tmp_path_factory.mktemp("synced-site")
    with SimulatedSite(SPEC) as site:
        result = run_cli([], folder, site_env(site))
        assert result.returncode == 0, result.stderr
        return SyncedSite(folder / "sync.c1z", site.state)
