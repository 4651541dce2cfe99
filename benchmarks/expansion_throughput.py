"""Runtime benchmark (issue 2): store and expansion throughput without any network latency.

A synthetic connector, served over real gRPC on 127.0.0.1 in the same process as the engine
(as a one-shot sync runs), yields ~650,000 grants, most of them derived by expansion. Each run
is a fresh child process, so peak RSS is that sync's own. Prints every run with its phases,
the best and the median, and what SQLite alone needs to write as many rows on this machine.
Targets: >= 100,000 grants/s, peak RSS < 120 MB.
Usage: python benchmarks/expansion_throughput.py [--runs N] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_PER_SECOND = 100_000
TARGET_RSS_MB = 120


def one_run() -> dict[str, object]:
    """One sync into a temp dir (run in a child process); returns its figures."""
    from baton_confluence.baton.runner.local_sync import sync_to_file
    from baton_confluence.baton.sync.engine import SyncOptions
    from benchmarks.synthetic_connector import SyntheticConnector

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sync.c1z"
        started = time.monotonic()
        result = asyncio.run(sync_to_file(SyntheticConnector(), path, SyncOptions(concurrency=16)))
        seconds = time.monotonic() - started
        size = path.stat().st_size
    phases = {k: round(v, 2) for k, v in result.progress.phase_seconds.items() if k != "done"}
    return {
        "seconds": round(seconds, 2),
        "direct": result.progress.grants,
        "expanded": result.progress.expanded_grants,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "c1z_mb": round(size / 1e6, 1),
        "phases": phases,
    }


def spawn_run() -> dict[str, object]:
    proc = subprocess.run([sys.executable, __file__, "--child"], capture_output=True, text=True, check=False, cwd=ROOT)
    if proc.returncode != 0:
        sys.exit(f"benchmark run failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run()))
        return
    runs = []
    for n in range(1, args.runs + 1):
        run = spawn_run()
        runs.append(run)
        total = int(run["direct"]) + int(run["expanded"])  # type: ignore[call-overload]
        phases = "  ".join(f"{k} {v}s" for k, v in run["phases"].items())  # type: ignore[attr-defined]
        print(f"run {n}: {run['seconds']:>5} s  {total / float(run['seconds']):>8,.0f} grants/s  "  # type: ignore[arg-type]
              f"{run['peak_rss_mib']} MiB   [{phases}]")  # fmt: skip
    total = int(runs[0]["direct"]) + int(runs[0]["expanded"])  # type: ignore[call-overload]
    times = [float(r["seconds"]) for r in runs]  # type: ignore[arg-type]
    peak = max(float(r["peak_rss_mib"]) for r in runs)  # type: ignore[arg-type]

    from benchmarks.sqlite_floor import sqlite_floor_seconds

    floor = sqlite_floor_seconds(total, data_bytes=343)
    best, median = min(times), statistics.median(times)
    print(
        f"grants written   {total:>10,} ({runs[0]['direct']:,} from the connector, {runs[0]['expanded']:,} by expansion)"
    )
    print(
        f"throughput       {total / best:>10,.0f} grants/s best, {total / median:,.0f} median  (target >= {TARGET_PER_SECOND:,})"
    )
    print(f"peak RSS         {peak:>10.0f} MiB  (target < {TARGET_RSS_MB} MB)")
    print(f"c1z size         {runs[0]['c1z_mb']:>10} MB")
    print(f"SQLite alone     {floor.total:>10.1f} s to insert {total:,} rows ({floor.insert:.1f} s) "
          f"and compress ({floor.compress:.1f} s): "
          f"{total / floor.total:,.0f} rows/s on this machine")  # fmt: skip
    if args.json:
        summary = {
            "runs": runs,
            "best_seconds": best,
            "median_seconds": median,
            "sqlite_floor": {**asdict(floor), "total": floor.total},
        }
        args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
