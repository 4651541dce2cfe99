"""Run a simulated Confluence site in the foreground (Cloud, or Data Center with --datacenter).

    python -m confluence_simulator --port 8090 --users 50 --spaces 20
    python -m confluence_simulator --datacenter --pat secret-pat --context /confluence
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from confluence_simulator.dc_routes import DEFAULT_CONTEXT, datacenter_flavor
from confluence_simulator.server import SimulatedSite
from confluence_simulator.spec import ALL_FAMILIES, FaultSpec, SiteSpec


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m confluence_simulator",
                                description="Serve a simulated Confluence Cloud site on 127.0.0.1.")
    p.add_argument("--port", type=int, default=8090, help="0 picks a free port")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--groups", type=int, default=12)
    p.add_argument("--spaces", type=int, default=20)
    p.add_argument("--permissions-per-space", type=int, default=12)
    p.add_argument("--guests", type=int, default=2)
    p.add_argument("--apps", type=int, default=3)
    p.add_argument("--rbac", action="store_true", help="space-role-mode ROLES (default PRE_ROLES)")
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--rate-limit-rps", type=float, default=None)
    p.add_argument("--hidden-space-fraction", type=float, default=0.0)
    p.add_argument("--deny", action="append", default=[], choices=sorted(ALL_FAMILIES),
                   help="endpoint family the account may not use (repeatable)")
    p.add_argument("--username", default="admin@example.com")
    p.add_argument("--api-token", default="simulated-api-token")
    p.add_argument("--pat", default=None, help="also accept this Bearer token")
    p.add_argument("--datacenter", action="store_true", help="serve the Data Center flavour (/rest/api)")
    p.add_argument("--context", default=DEFAULT_CONTEXT, help="Data Center context path (default /confluence)")
    p.add_argument("--password", default="simulated-password", help="Data Center basic-auth password")
    p.add_argument("--server-version", default="9.2.1", help="Data Center version (below 9.1: no permission API)")
    p.add_argument("--fault-429", type=float, default=0.0, help="probability of a 429 with Retry-After")
    p.add_argument("--fault-503", type=float, default=0.0, help="probability of a 503")
    p.add_argument("--fault-reset", type=float, default=0.0, help="probability of a connection reset")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    spec = SiteSpec(
        seed=args.seed, users=args.users, groups=args.groups, spaces=args.spaces,
        permissions_per_space=args.permissions_per_space, guest_accounts=args.guests,
        app_accounts=args.apps, rbac_enabled=args.rbac, latency_ms=args.latency_ms,
        rate_limit_rps=args.rate_limit_rps, hidden_space_fraction=args.hidden_space_fraction,
        denied=frozenset(args.deny), username=args.username, api_token=args.api_token,
        personal_access_token=args.pat, password=args.password, server_version=args.server_version,
        faults=FaultSpec(p_429_retry_after=args.fault_429, p_503=args.fault_503, p_reset=args.fault_reset),
    )
    if args.datacenter:
        site = SimulatedSite(spec, port=args.port, flavor=datacenter_flavor(args.context))
        site.start()
        print(f"Simulated Confluence Data Center {spec.server_version} site: {site.site_url}", flush=True)
        print(f"  REST API:         {site.site_url}/rest/api", flush=True)
        print(f"  username:         {spec.username}", flush=True)
        print(f"  password:         {spec.password}", flush=True)
    else:
        site = SimulatedSite(spec, port=args.port)
        url = site.start()
        print(f"Simulated Confluence Cloud site: {url}", flush=True)
        print(f"  REST APIs:        {url}/wiki/rest/api (v1), {url}/wiki/api/v2 (v2)", flush=True)
        print(f"  username (email): {spec.username}", flush=True)
        print(f"  API token:        {spec.api_token}", flush=True)
    if spec.personal_access_token:
        print(f"  Bearer token:     {spec.personal_access_token}", flush=True)
    print(f"  {len(site.state.users)} accounts, {len(site.state.groups)} groups, "
          f"{len(site.state.spaces)} spaces; Ctrl-C stops.", flush=True)

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        threading.Thread(target=site.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    try:
        site.serve_forever()
    except KeyboardInterrupt:
        site.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
