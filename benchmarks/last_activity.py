"""What `--last-activity` costs on a 2,000-account Cloud site (issue 20): extra requests and extra
wall time, bulk route against per-account route, with the organization admin API limited to
20 requests/s (its own token bucket; the client paced by `--admin-api-max-rps 20`).

The baseline for `--last-activity` is a sync with the org key but without the option: the key
alone already makes the `site` resource read the groups' product roles (one request per group)
and the roles given to accounts directly (one request per org account), measured as their own
lines: the key with the per-account role route refused (groups only) against a sync without the
key, and the full key against that.

Each scenario runs the real CLI (benchmarks/sync_child.py) against the benchmark site (2,000
accounts, 150 groups; fewer spaces than benchmarks/run.py by default, so the sweep does not hide
the cost) with 50 ms latency on both APIs. Usage:
    python benchmarks/last_activity.py [--spaces 60] [--rps 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator.org_admin import org_admin_site
from confluence_simulator.site_admin_spec import SiteAdminSpec

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.run import ROOT, benchmark_site, cli_env


@dataclass
class Measured:
    scenario: str
    seconds: float
    site_requests: int
    admin_requests: int
    activity_requests: int  # of the admin requests: bulk search pages and per-account reads
    direct_role_requests: int  # of the admin requests: accounts' own role assignments
    admin_429s: int
    accounts: int


def run(name: str, spec: SiteSpec, org_key: bool, last_activity: bool, rps: float) -> Measured:
    with SimulatedSite(spec) as site, org_admin_site(site) as admin, tempfile.TemporaryDirectory() as tmp:
        extra = {"BATON_LOG_FORMAT": "json"}
        if org_key:
            extra |= {
                "BATON_ORG_ID": spec.site_admin.org_id,
                "BATON_ORG_API_KEY": spec.site_admin.org_api_key,
                "BATON_ADMIN_API_URL": admin.url,
                "BATON_ADMIN_API_MAX_RPS": str(rps),
            }
        if last_activity:
            extra["BATON_LAST_ACTIVITY"] = "true"
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "sync_child.py"), "-f", str(Path(tmp) / "sync.c1z")],
            env=cli_env(site, **extra), capture_output=True, text=True, check=False,
        )
        seconds = time.monotonic() - started
        if json.loads(proc.stderr.strip().splitlines()[-1])["exit"] != 0:
            raise SystemExit(f"{name}: sync failed:\n{proc.stderr[-2000:]}")
        accounts = len(site.state.users)
        by_request = admin.stats.snapshot().by_request
        activity = sum(n for (_, path), n in by_request.items() if path.endswith(("/users/search", "/last-active-dates")))
        direct = sum(n for (_, path), n in by_request.items() if "/users/" in path and path.endswith("/role-assignments"))
        return Measured(name, seconds, site.stats.total_requests, admin.stats.total_requests, activity, direct,
                        admin.stats.rate_limited_count, accounts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spaces", type=int, default=60)
    parser.add_argument("--rps", type=float, default=20.0, help="the admin API's rate limit")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    base = benchmark_site(spaces=args.spaces, latency_ms=50)
    limited = replace(base, site_admin=SiteAdminSpec(admin_rate_limit_rps=args.rps))
    no_bulk = replace(base, site_admin=SiteAdminSpec(bulk_search=False, admin_rate_limit_rps=args.rps))
    groups_only = replace(base, site_admin=SiteAdminSpec(user_roles_status=403, admin_rate_limit_rps=args.rps))
    scenarios = [
        ("no org key", base, False, False),
        ("org key, groups' roles only", groups_only, True, False),
        ("org key (product roles)", limited, True, False),
        ("+ --last-activity, bulk", limited, True, True),
        ("+ --last-activity, per-account", no_bulk, True, True),
    ]
    results = []
    print(f"{'scenario':<32} {'time':>8} {'site req':>9} {'admin req':>10} {'activity':>9} {'roles':>6} "
          f"{'429s':>5} {'accounts':>9}")
    for name, spec, key, on in scenarios:
        m = run(name, spec, key, on, args.rps)
        results.append(m)
        print(f"{m.scenario:<32} {m.seconds:>7.1f}s {m.site_requests:>9,} {m.admin_requests:>10,} "
              f"{m.activity_requests:>9,} {m.direct_role_requests:>6,} {m.admin_429s:>5,} {m.accounts:>9,}", flush=True)
    pairs = ((results[1], results[0]), (results[2], results[1]), (results[3], results[2]), (results[4], results[2]))
    for m, baseline in pairs:
        added = m.site_requests + m.admin_requests - baseline.site_requests - baseline.admin_requests
        print(f"{m.scenario} vs {baseline.scenario}: +{added:,} requests, +{m.seconds - baseline.seconds:.1f}s wall time")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
