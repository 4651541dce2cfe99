"""Targeted (partial) sync vs full sync on the benchmark site (issue 14): API requests and time.

Builds the site of `benchmarks/run.py` (no latency), runs a full sync through the real command
line, then `--sync-resources space:<id>` for one space into the same file, and prints the
simulator's request counts for both.
Usage: python benchmarks/targeted_sync.py [--small]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from confluence_simulator import SimulatedSite

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import SCENARIOS, cli_env, site_spec  # noqa: E402 - needs ROOT on the path when run as a script


def run_cli(site: SimulatedSite, c1z: Path, *args: str) -> tuple[float, int]:
    env = cli_env(site, BATON_LOG_FORMAT="json")
    site.reset_stats()
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "baton_confluence", "-f", str(c1z), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"sync failed: {proc.stderr[-2000:]}")
    return time.monotonic() - started, site.stats.snapshot().total_requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="a smaller site, for a quick look")
    args = parser.parse_args()
    with SimulatedSite(site_spec(args.small, SCENARIOS[0])) as site, tempfile.TemporaryDirectory() as tmp:
        c1z = Path(tmp) / "sync.c1z"
        space = str(sorted(site.state.spaces)[len(site.state.spaces) // 2])
        full_s, full_requests = run_cli(site, c1z)
        part_s, part_requests = run_cli(site, c1z, "--sync-resources", f"space:{space}")
    print(f"{'sync':<32} {'time':>8} {'API requests':>13}")
    print(f"{'full':<32} {full_s:>7.1f}s {full_requests:>13,}")
    print(f"{'targeted: space ' + space:<32} {part_s:>7.1f}s {part_requests:>13,}")


if __name__ == "__main__":
    main()
