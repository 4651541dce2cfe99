"""`serve` drives from another process, `inspect` reads the file, concurrency never changes content."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from confluence_simulator import SimulatedSite, SiteSpec

from baton_confluence.baton.c1z.store import SyncStore
from baton_confluence.baton.sync.client import ConnectorClient
from baton_confluence.baton.sync.engine import SyncEngine
from tests.baton.sync.c1z_rows import sync_content
from tests.e2e.cli import run_cli, site_env

SPEC = SiteSpec(seed=3, users=30, groups=6, spaces=10, permissions_per_space=8)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_served_connector_is_driven_by_an_outside_engine(tmp_path: Path) -> None:
    with SimulatedSite(SPEC) as site:
        assert run_cli([], tmp_path, site_env(site)).returncode == 0
        expected = sync_content(tmp_path / "sync.c1z")
        env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")} | site_env(site)
        address = f"127.0.0.1:{free_port()}"
        server = subprocess.Popen(
            [sys.executable, "-m", "baton_confluence", "serve", "--listen", address],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            assert "serving the connector on" in server.stdout.readline()

            async def drive() -> None:
                client = ConnectorClient.connect(address)
                try:
                    engine = SyncEngine(client)
                    await engine.validate()
                    store = SyncStore.open(tmp_path / "driven.c1z")
                    await engine.run(store)
                    store.finalize()
                finally:
                    await client.close()

            asyncio.run(drive())
        finally:
            server.terminate()
            server.wait(timeout=10)
    assert server.returncode == 0
    assert sync_content(tmp_path / "driven.c1z") == expected


def test_inspect_reads_what_was_synced(tmp_path: Path) -> None:
    with SimulatedSite(SPEC) as site:
        assert run_cli([], tmp_path, site_env(site)).returncode == 0
        some_group = next(iter(site.state.groups))
    table = run_cli(["inspect", "resources", "--resource-type", "group"], tmp_path)
    assert table.returncode == 0 and some_group in table.stdout
    grants = run_cli(["inspect", "grants", "-o", "json", "--entitlement", f"group:{some_group}:member"], tmp_path)
    assert grants.returncode == 0
    members = {g["principal"]["id"]["resource"] for g in json.loads(grants.stdout)}
    humans = {m for m in site.state.groups[some_group].members if site.state.users[m].account_type == "atlassian"}
    assert members == humans
    bad = run_cli(["inspect", "stats", "missing.c1z"], tmp_path)
    assert bad.returncode == 1 and bad.stderr.count("error:") == 1


def test_concurrency_does_not_change_the_c1z(tmp_path: Path) -> None:
    contents = []
    for concurrency in ("1", "32"):
        out = tmp_path / concurrency
        out.mkdir()
        with SimulatedSite(SPEC) as site:
            result = run_cli(["--concurrency", concurrency], out, site_env(site))
        assert result.returncode == 0, result.stderr
        contents.append(sync_content(out / "sync.c1z"))
    assert contents[0] == contents[1]
