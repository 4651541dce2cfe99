"""Runs one CLI sync in this process and reports its peak RSS; used by the benchmarks."""

from __future__ import annotations

import json
import resource
import sys

from baton_confluence.cli.main import main

if __name__ == "__main__":
    code = main(sys.argv[1:])
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"exit": code, "peak_rss_mib": round(peak_kib / 1024, 1)}), file=sys.stderr)
    sys.exit(code)
