"""Runtime benchmark (issue 2): store and expansion throughput without any network latency.

A synthetic connector, served over real gRPC on 127.0.0.1, yields ~650,000 grants, most of them
derived by expansion. Prints wall time, grants per second and peak RSS; targets are
>= 100,000 grants/s and < 120 MB. Usage: python benchmarks/expansion_throughput.py
"""

from __future__ import annotations

import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

from baton_confluence.baton.runner.local_sync import sync_to_file
from baton_confluence.baton.sync.engine import SyncOptions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.synthetic_connector import SyntheticConnector


async def run(path: Path) -> tuple[float, int, int]:
    started = time.monotonic()
    result = await sync_to_file(SyntheticConnector(), path, SyncOptions(concurrency=16))
    seconds = time.monotonic() - started
    return seconds, result.progress.grants, result.progress.expanded_grants


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sync.c1z"
        seconds, direct, expanded = asyncio.run(run(path))
        size = path.stat().st_size
    total = direct + expanded
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"grants written   {total:>10,} ({direct:,} from the connector, {expanded:,} by expansion)")
    print(f"wall time        {seconds:>10.1f} s")
    print(f"throughput       {total / seconds:>10,.0f} grants/s  (target >= 100,000)")
    print(f"peak RSS         {peak_mib:>10.0f} MiB      (target < 120 MB)")
    print(f"c1z size         {size / 1e6:>10.1f} MB")


if __name__ == "__main__":
    main()
