"""Sync benchmark (issue 6): the real CLI against the simulated site under latency and rate limits.

Prints wall time, API requests, 429s and peak RSS of the sync process for each scenario, and
checks them against the targets:
  * 50 ms latency: time <= zero-latency time + 0.1 x requests x 50 ms
  * 50 ms + 20 requests/s: time <= 1.3 x requests / 20 + zero-latency time, under 5% answered 429
  * peak RSS < 120 MB
Usage: python benchmarks/run.py [--small | --scale 4] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from confluence_simulator import SimulatedSite, SiteSpec

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Scenario:
    name: str
    latency_ms: int = 0
    rate_limit_rps: float | None = None
    concurrency: int = 16


@dataclass
class Measured:
    scenario: str
    seconds: float
    requests: int
    rate_limited: int
    peak_rss_mib: float
    grants: int


SCENARIOS = [
    Scenario("no latency"),
    Scenario("50 ms latency", latency_ms=50),
    Scenario("50 ms + 20 req/s", latency_ms=50, rate_limit_rps=20),
    Scenario("50 ms, --concurrency 1", latency_ms=50, concurrency=1),
    Scenario("50 ms + 20 req/s, --concurrency 1", latency_ms=50, rate_limit_rps=20, concurrency=1),
]


def benchmark_site(scale: float = 1.0, **overrides: Any) -> SiteSpec:
    """The benchmark site (627,188 grants at scale 1); users, spaces and the big group scale."""
    size: dict[str, Any] = {
        "users": round(2000 * scale),
        "groups": 150,
        "spaces": round(400 * scale),
        "permissions_per_space": 30,
        "big_group_size": round(400 * scale),
    }
    return SiteSpec(seed=42, **(size | overrides))


def site_spec(small: bool, scenario: Scenario, scale: float = 1.0) -> SiteSpec:
    pace: dict[str, Any] = {"latency_ms": scenario.latency_ms, "rate_limit_rps": scenario.rate_limit_rps}
    if small:
        return SiteSpec(seed=42, users=300, groups=30, spaces=60, permissions_per_space=20, **pace)
    return benchmark_site(scale, **pace)


def cli_env(site: SimulatedSite, **extra: str) -> dict[str, str]:
    """The environment for the connector's command line against `site`: no stray BATON_* setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    env.update(
        BATON_DOMAIN_URL=site.url,
        BATON_USERNAME=site.spec.username,
        BATON_API_KEY=site.spec.api_token,
        BATON_LOG_LEVEL="warn",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def run_scenario(scenario: Scenario, small: bool, scale: float = 1.0) -> Measured:
    with SimulatedSite(site_spec(small, scenario, scale)) as site, tempfile.TemporaryDirectory() as tmp:
        env = cli_env(site, BATON_LOG_FORMAT="json", BATON_CONCURRENCY=str(scenario.concurrency))
        cmd = [sys.executable, str(ROOT / "benchmarks" / "sync_child.py"), "-f", str(Path(tmp) / "sync.c1z")]
        proc, seconds, tail = run_sync_child(scenario.name, cmd, env)
        stats = site.stats.snapshot()
        grants = sum(int(line.split()[-1].replace(",", "")) for line in proc.stdout.splitlines() if "grants" in line)
        return Measured(scenario.name, seconds, stats.total_requests, stats.sent_429, tail["peak_rss_mib"], grants)


def run_sync_child(
    label: str, cmd: list[str], env: dict[str, str], cwd: str | None = None
) -> tuple[subprocess.CompletedProcess[str], float, dict[str, Any]]:
    """Run a sync child, timed; its last stderr line is its JSON report (exit code, resource use).
    A failed sync ends the benchmark with its stderr's tail."""
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    tail = json.loads(proc.stderr.strip().splitlines()[-1])
    if tail["exit"] != 0:
        raise SystemExit(f"{label}: sync failed:\n{proc.stderr[-3000:]}")
    return proc, seconds, tail


def verdicts(results: list[Measured]) -> list[str]:
    base = results[0]
    by_name = {r.scenario: r for r in results}
    lines = []
    lat = by_name["50 ms latency"]
    bound = base.seconds + 0.1 * lat.requests * 0.05
    lines.append(f"50 ms latency: {lat.seconds:.1f}s <= {bound:.1f}s: {'PASS' if lat.seconds <= bound else 'FAIL'}")
    lim = by_name["50 ms + 20 req/s"]
    bound = 1.3 * lim.requests / 20 + base.seconds
    share = lim.rate_limited / max(lim.requests, 1)
    ok = lim.seconds <= bound and share < 0.05
    lines.append(f"20 req/s: {lim.seconds:.1f}s <= {bound:.1f}s, 429s {share:.1%} < 5%: {'PASS' if ok else 'FAIL'}")
    peak = max(r.peak_rss_mib for r in results)
    lines.append(f"peak RSS {peak:.0f} MiB < 120 MB: {'PASS' if peak * 1.048576 < 120 else 'FAIL'}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="a smaller site, for a quick look")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="site scale (users, spaces and the big group; groups stay 150): 4 gives 8,000 users and 1,600 spaces",
    )
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this")
    parser.add_argument("--json", default="", help="also write the results to this file")
    args = parser.parse_args()
    chosen = [s for s in SCENARIOS if args.only in s.name] if args.only else SCENARIOS
    results = []
    print(f"{'scenario':<36} {'time':>8} {'requests':>9} {'429s':>6} {'peak RSS':>9} {'grants':>9}")
    for scenario in chosen:
        m = run_scenario(scenario, args.small, args.scale)
        results.append(m)
        print(
            f"{m.scenario:<36} {m.seconds:>7.1f}s {m.requests:>9,} {m.rate_limited:>6,} "
            f"{m.peak_rss_mib:>6.0f} MiB {m.grants:>9,}",
            flush=True,
        )
    if len(results) == len(SCENARIOS):
        print("\n".join(verdicts(results)))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
