"""Before/after comparison of one-shot syncs (issue 23): alternating runs of two checkouts.

Each run syncs the benchmark site (benchmarks/run.py `benchmark_site`) with the CLI of one
checkout in a child process and records wall time, CPU time (user + system, which other load on
the machine disturbs less than wall time), peak RSS, the bytes the child caused to be
written to storage (`/proc/<pid>/io` write_bytes; "net" also less cancelled_write_bytes, the dirty
pages of files deleted before the kernel wrote them back) and the c1z size.
Runs alternate between the checkouts so that load from other work on the machine hits both.

Usage: python benchmarks/compare.py --root A --root B [--scale 4] [--latency-ms 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from confluence_simulator import SimulatedSite

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.run import benchmark_site, cli_env, run_sync_child

# Runs the CLI of the checkout on PYTHONPATH (the child runs in an empty directory, so that "" on
# sys.path finds nothing) and prints its resource use as the last stderr line.
CHILD = """
import json, resource, sys
import baton_confluence
from baton_confluence.cli.main import main
assert baton_confluence.__file__.startswith(sys.argv[1]), baton_confluence.__file__
del sys.argv[1]
code = main(sys.argv[1:])
io = dict(line.split(": ") for line in open("/proc/self/io").read().splitlines())
usage = resource.getrusage(resource.RUSAGE_SELF)
peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
written, cancelled = int(io["write_bytes"]), int(io["cancelled_write_bytes"])
print(json.dumps({"exit": code, "peak_rss_mib": peak, "cpu": cpu, "written": written, "cancelled": cancelled}), file=sys.stderr)
sys.exit(code)
"""


def one_run(root: Path, site: SimulatedSite) -> dict[str, float]:
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        out = Path(tmp) / "sync.c1z"
        env = cli_env(site, BATON_LOG_FORMAT="json")
        env["PYTHONPATH"] = str(root)
        cmd = [sys.executable, "-c", CHILD, str(root.resolve()), "-f", str(out)]
        _proc, seconds, tail = run_sync_child(str(root), cmd, env, cwd=tmp)
        return {
            "seconds": seconds,
            "cpu_seconds": tail["cpu"],
            "peak_rss_mib": tail["peak_rss_mib"],
            "written_mib": tail["written"] / 2**20,
            "net_written_mib": (tail["written"] - tail["cancelled"]) / 2**20,
            "c1z_mib": out.stat().st_size / 2**20,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", action="append", required=True, help="a checkout to run (repeat)")
    parser.add_argument("--scale", type=float, default=1.0, help="site scale, as benchmarks/run.py --scale")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    spec = benchmark_site(args.scale, latency_ms=args.latency_ms)
    results: dict[str, list[dict[str, float]]] = {root: [] for root in args.root}
    with SimulatedSite(spec) as site:
        for round_no in range(args.rounds):
            for root in args.root:
                m = one_run(Path(root), site)
                results[root].append(m)
                print(f"round {round_no + 1} {root}: " + ", ".join(f"{k} {v:.1f}" for k, v in m.items()), flush=True)
    for root, runs in results.items():
        print(f"\n{root} (median [min-max] of {len(runs)}):")
        for key in runs[0]:
            values = [r[key] for r in runs]
            print(f"  {key:<14} {statistics.median(values):9.1f} [{min(values):.1f}-{max(values):.1f}]")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
