"""Measures the scratch disk a sync occupies, per grant, for the Kubernetes sizing rule.

Runs the real CLI (one-shot, as a sync task does in service mode: the same c1z store) against
simulated sites of the benchmark's shape (benchmarks/run.py) at several sizes, and samples,
every few milliseconds, the bytes allocated on disk by

  * every file in the sync's directory (`sync.c1z`, `.work.db`, its journal/WAL, `.tmp`), and
  * every regular file the sync process holds open, which catches SQLite's temp files
    (`temp_store = file`, unlinked at once, so invisible to `du`) wherever TMPDIR points,

counting each inode once. The peak over the sync, divided by the grants in the finished c1z
(direct and expanded), is the figure docs/service-mode.md ("Sizing the scratch volume") uses.

Usage: python scripts/measure_scratch.py [--scale 0.5 --scale 1 --scale 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from confluence_simulator import SimulatedSite

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import benchmark_site, cli_env  # noqa: E402 - needs ROOT on the path when run as a script

SAMPLE_SECONDS = 0.005


@dataclass(frozen=True)
class ScratchMeasurement:
    scale: float
    grants: int
    c1z_bytes: int
    peak_scratch_bytes: int
    peak_rss_mib: float
    seconds: float

    @property
    def scratch_bytes_per_grant(self) -> float:
        return self.peak_scratch_bytes / self.grants


def allocated(path: Path) -> tuple[int, int] | None:
    """(inode, bytes allocated on disk) of a regular file, or None if it is gone or not a file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_dev << 32) ^ st.st_ino, st.st_blocks * 512


class ScratchSampler(threading.Thread):
    """Samples the scratch bytes of one process and one directory until stopped."""

    def __init__(self, pid: int, directory: Path) -> None:
        super().__init__(daemon=True)
        self.pid, self.directory = pid, directory
        self.peak_bytes = 0
        self.peak_rss_kib = 0
        self._stopping = threading.Event()

    def sample(self) -> None:
        seen: dict[int, int] = {}
        for root, _dirs, files in os.walk(self.directory):
            for name in files:
                if (found := allocated(Path(root) / name)) is not None:
                    seen[found[0]] = found[1]
        fd_dir = Path(f"/proc/{self.pid}/fd")
        try:
            fds = list(fd_dir.iterdir())
        except OSError:
            fds = []
        for fd in fds:
            if (found := allocated(fd)) is not None:
                seen[found[0]] = found[1]
        self.peak_bytes = max(self.peak_bytes, sum(seen.values()))
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_rss_kib = max(self.peak_rss_kib, int(line.split()[1]))
        except OSError:
            pass

    def run(self) -> None:
        while not self._stopping.is_set():
            self.sample()
            time.sleep(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stopping.set()
        self.join()


def measure(scale: float) -> ScratchMeasurement:
    cli = Path(sys.executable).with_name("baton-confluence")
    with SimulatedSite(benchmark_site(scale)) as site, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "tmp").mkdir()
        env = cli_env(site, TMPDIR=str(work / "tmp"), SQLITE_TMPDIR=str(work / "tmp"))
        c1z = work / "sync.c1z"
        started = time.monotonic()
        proc = subprocess.Popen(
            [str(cli), "-f", str(c1z)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        sampler = ScratchSampler(proc.pid, work)
        sampler.start()
        _, stderr = proc.communicate()
        sampler.stop()
        seconds = time.monotonic() - started
        if proc.returncode != 0:
            raise SystemExit(f"scale {scale}: sync failed ({proc.returncode}): {stderr[-2000:]}")
        # The reader refuses c1z files that decode past 10 GiB unless told otherwise (scale 4 does).
        env["BATON_DECODER_MAX_DECODED_SIZE_MB"] = str(64 * 1024)
        stats = subprocess.run(
            [str(cli), "inspect", "stats", "-o", "json", "-f", str(c1z)], env=env, capture_output=True, text=True
        )
        if stats.returncode != 0:
            raise SystemExit(f"scale {scale}: inspect stats failed ({stats.returncode}): {stats.stderr[-2000:]}")
        grants = int(json.loads(stats.stdout)["grants"])
        return ScratchMeasurement(
            scale, grants, c1z.stat().st_size, sampler.peak_bytes, round(sampler.peak_rss_kib / 1024, 1), seconds
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, action="append", help="site size relative to the benchmark's")
    parser.add_argument("--json", default="", help="also write the results to this file")
    args = parser.parse_args()
    results = []
    print(f"{'scale':>5} {'grants':>10} {'c1z':>10} {'peak scratch':>13} {'per grant':>10} {'peak RSS':>9} {'time':>7}")
    for scale in args.scale or [0.5, 1.0, 2.0]:
        m = measure(scale)
        results.append(m)
        print(
            f"{m.scale:>5} {m.grants:>10,} {m.c1z_bytes / 2**20:>6.1f} MiB {m.peak_scratch_bytes / 2**20:>9.1f} MiB "
            f"{m.scratch_bytes_per_grant:>8.0f} B {m.peak_rss_mib:>5.0f} MiB {m.seconds:>6.1f}s",
            flush=True,
        )
    if args.json:
        rows = [asdict(m) | {"scratch_bytes_per_grant": round(m.scratch_bytes_per_grant, 1)} for m in results]
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
