"""Every command that prints ends quietly with exit 0 when the reader of its output has gone.

`baton-confluence ... | head -1` closes the pipe early; here the pipe's reading end is closed
before the command starts, so every write to stdout meets the closed pipe, whatever its size.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec

from baton_confluence.cli import main as cli_main
from tests.baton.sync.c1z_rows import open_c1z
from tests.e2e.cli import run_cli, site_env

SPEC = SiteSpec(seed=5, users=20, groups=5, spaces=6, permissions_per_space=8)


@pytest.fixture(scope="module")
def site() -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC) as running:
        yield running


def run_into_closed_pipe(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    read_end, write_end = os.pipe()
    os.close(read_end)
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    full_env.update(env)
    try:
        return subprocess.run(
            [sys.executable, "-m", "baton_confluence", *args],
            cwd=cwd,
            env=full_env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)


def assert_quiet(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    for noise in ("error:", "Traceback", "Exception ignored", "BrokenPipe", "Broken pipe"):
        assert noise not in result.stderr, result.stderr


@pytest.mark.parametrize(
    "args",
    [["capabilities"], ["config"], ["serve", "--listen", "127.0.0.1:0"]],
    ids=["capabilities", "config", "serve"],
)
def test_capabilities_config_and_serve(args: list[str], tmp_path: Path, site: SimulatedSite) -> None:
    # serve builds the connector before printing its first line, so it needs the site's settings.
    assert_quiet(run_into_closed_pipe(args, tmp_path, site_env(site)))


def test_the_sync_summary_and_provisioning(site: SimulatedSite, tmp_path: Path) -> None:
    synced = run_into_closed_pipe([], tmp_path, site_env(site))
    assert_quiet(synced)
    path = tmp_path / "sync.c1z"
    assert path.stat().st_size > 0, "the sync wrote its file before the summary met the pipe"
    (grant_id,) = open_c1z(path).execute(
        "select external_id from v1_grants where external_id like 'group:%:member:user:%' order by external_id limit 1"
    ).fetchone()

    assert_quiet(run_into_closed_pipe(["--revoke-grant", grant_id], tmp_path, site_env(site)))
    # The revoke took place: doing it again finds it already done.
    again = run_cli(["--revoke-grant", grant_id], tmp_path, site_env(site))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"revoked {grant_id}") and "already" in again.stdout, again.stdout

    assert_quiet(run_into_closed_pipe(["inspect", "stats"], tmp_path, {}))


def test_a_broken_pipe_elsewhere_is_still_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    """A BrokenPipeError that is not stdout's (a connection's, say) is reported, not swallowed."""

    async def broken(*_: object) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli_main, "dispatch", broken)
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    code = cli_main.main(["capabilities"])
    assert code != 0
    (line,) = stderr.getvalue().splitlines()
    assert line.startswith("error: BrokenPipeError")
