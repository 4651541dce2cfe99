"""HTTP(S)_PROXY and NO_PROXY are honoured (httpx `trust_env`)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec

from tests.e2e.cli import run_cli, site_env

SPEC = SiteSpec(seed=3, users=8, groups=3, spaces=3, permissions_per_space=3)


@pytest.fixture(scope="module")
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC) as running:
        yield running


def dead_port() -> int:
    """A port nothing listens on: a proxy there refuses every connection."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_proxy_is_used(site: SimulatedSite, tmp_path: Path) -> None:
    proxy = f"http://127.0.0.1:{dead_port()}"
    before = site.stats.snapshot().total_requests
    result = run_cli([], tmp_path, site_env(site) | {"HTTP_PROXY": proxy, "NO_PROXY": ""})
    assert result.returncode != 0
    assert site.stats.snapshot().total_requests == before  # nothing reached the site directly
    last = result.stderr.strip().splitlines()[-1]
    assert f"through proxy {proxy}" in last and "NO_PROXY" in last


def test_no_proxy_bypasses_it(site: SimulatedSite, tmp_path: Path) -> None:
    proxy = f"http://127.0.0.1:{dead_port()}"
    result = run_cli([], tmp_path, site_env(site) | {"HTTP_PROXY": proxy, "NO_PROXY": "127.0.0.1"})
    assert result.returncode == 0, result.stderr
