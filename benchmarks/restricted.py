"""Restricted content benchmark (issue 21): what `--sync-restricted-content` costs on a big site.

A simulated site of 400 spaces x 250 pages (plus 10 blog posts per space), 10% of the content
restricted, synced through the real command line with and without the option, at no latency, at
50 ms latency, and at 50 ms under a 20 requests/s limit. Prints per run: wall time, API requests
(all, and those of the content endpoints), 429s answered, grants derived by group expansion, and
the restricted items the sync found against the number the site holds (visible spaces).
Usage: python benchmarks/restricted.py [--small] [--only TEXT]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator.content_spec import ContentSpec

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import cli_env  # noqa: E402 - needs ROOT on the path when run as a script


@dataclass(frozen=True)
class Run:
    name: str
    option: bool
    latency_ms: int = 0
    rate_limit_rps: float | None = None


RUNS = [
    Run("off, no latency", False),
    Run("on, no latency", True),
    Run("on, 50 ms latency", True, latency_ms=50),
    Run("off, 50 ms latency", False, latency_ms=50),
    Run("on, 50 ms + 20 req/s", True, latency_ms=50, rate_limit_rps=20),
]


def site(small: bool, run: Run) -> SiteSpec:
    spaces, pages = (40, 250) if small else (400, 250)
    content = ContentSpec(pages_per_space=pages, blogposts_per_space=10, restricted_fraction=0.1)
    pace: dict[str, Any] = {"latency_ms": run.latency_ms, "rate_limit_rps": run.rate_limit_rps}
    return SiteSpec(seed=42, users=500, groups=40, spaces=spaces, permissions_per_space=10, content=content, **pace)


def measure(run: Run, small: bool) -> str:
    with SimulatedSite(site(small, run)) as running, tempfile.TemporaryDirectory() as tmp:
        state = running.state
        held = sum(1 for c in state.content.all() if c.restricted and not state.spaces[c.space_id].hidden)
        args = ["--sync-restricted-content"] if run.option else []
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "baton_confluence", "-f", str(Path(tmp) / "sync.c1z"), *args],
            env=cli_env(running), capture_output=True, text=True, check=False,
        )
        seconds = time.monotonic() - started
        if proc.returncode != 0:
            raise SystemExit(f"{run.name}: sync failed:\n{proc.stderr[-2000:]}")
        stats = running.stats.snapshot()
        content_requests = stats.count("GET", "/wiki/rest/api/content")
        found = sum(_counter(proc.stdout, f"restricted_content.{kind}.restricted") for kind in ("page", "blogpost"))
        expanded = _counter(proc.stdout, "expanded grants")
        return (f"{run.name:<24} {seconds:>8.1f}s {stats.total_requests:>9,} {content_requests:>9,} "
                f"{stats.sent_429:>6,} {expanded:>9,} {found:>7,} / {held:,}")


def _counter(summary: str, name: str) -> int:
    for line in summary.splitlines():
        label, _, value = line.strip().rpartition(" ")
        if label.strip() == name:
            return int(value.replace(",", ""))
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="40 spaces instead of 400, for a quick look")
    parser.add_argument("--only", default="", help="run only the runs whose name contains this")
    args = parser.parse_args()
    print(f"{'run':<24} {'time':>9} {'requests':>9} {'content':>9} {'429s':>6} {'expanded':>9} {'found / held':>15}")
    for run in RUNS:
        if args.only in run.name:
            print(measure(run, args.small), flush=True)


if __name__ == "__main__":
    main()
