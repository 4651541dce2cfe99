"""Inspect benchmark (issue 15): export, diff and the review page on the benchmark site.

Syncs the site of benchmarks/run.py twice into one file, with a few changes between the two
syncs (five members leave a group, five accounts join another) so that `diff` and the page's
changes have something to show. Then runs `inspect export`, `inspect diff` and `inspect report`
through the real command line (time, peak RSS, output size) and opens the page in headless
Chromium over the DevTools pipe (tests/baton/inspect/browser.py): the time from navigation to the
first view, to the accounts tab, to a searched account's access and to a space's matrix.

With --grants N it also writes a synthetic file of N grants (no site) and exports it, to show
that the export's memory does not grow with the file.

Usage: python benchmarks/inspect_bench.py [--small] [--keep DIR [--reuse]] [--grants N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from confluence_simulator import SimulatedSite

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # tests.baton.inspect.browser, the DevTools driver
from run import ROOT, Scenario, site_spec

CHILD = ROOT / "benchmarks" / "sync_child.py"  # runs the CLI in-process and reports its peak RSS


def cli(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS MiB, stdout) of one command line run."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, str(CHILD), *args], env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    tail = json.loads(proc.stderr.strip().splitlines()[-1])
    if tail["exit"] not in (0, 1) or (tail["exit"] == 1 and "diff" not in args):
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return seconds, tail["peak_rss_mib"], proc.stdout


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    env.update(BATON_LOG_FORMAT="json", BATON_LOG_LEVEL="warn", PYTHONPATH=str(ROOT))
    return env


def sync_twice(c1z: Path, small: bool) -> None:
    with SimulatedSite(site_spec(small, Scenario("no latency"))) as site:
        env = base_env() | {
            "BATON_DOMAIN_URL": site.url,
            "BATON_USERNAME": site.spec.username,
            "BATON_API_KEY": site.spec.api_token,
        }
        seconds, rss, _ = cli(["-f", str(c1z)], env)
        print(f"first sync: {seconds:.1f}s, peak RSS {rss:.0f} MiB")
        state = site.state
        groups = sorted(state.groups)
        leaving = state.group_members(groups[0])[:5]
        for account_id in leaving:
            state.remove_group_member(groups[0], account_id)
        joining = [a for a in state.users if a not in state.groups[groups[1]].member_set][:5]
        for account_id in joining:
            state.add_group_member(groups[1], account_id)
        seconds, rss, _ = cli(["-f", str(c1z)], env)
        print(
            f"second sync: {seconds:.1f}s, peak RSS {rss:.0f} MiB ({len(leaving)} left a group, {len(joining)} joined one)"
        )


def page_timings(page: Path, account: str, space: str) -> list[str]:
    """Real (not virtual) times in Chromium: load to the first view, an account search, a space."""
    from tests.baton.inspect.browser import Browser

    lines = []
    with Browser() as browser:
        started = time.monotonic()
        browser.open(page.as_uri())
        browser.wait_for("document.body && document.body.dataset.ready === 'highlights'", timeout=120)
        seconds = time.monotonic() - started
        first = browser.evaluate("document.body.dataset.firstMs")
        lines.append(f"page load to highlights: {seconds:.2f}s (page's own count: {first} ms from script start)")
        for label, action, view in (
            (
                "accounts tab (inflates every block)",
                "document.querySelector('nav a[data-tab=accounts]').click()",
                "accounts",
            ),
            (f"search {account}", None, "accounts"),
            (f"open {space}", f"location.hash = 'resource=' + encodeURIComponent({space!r})", "resource"),
        ):
            gen = int(browser.evaluate("Number(document.body.dataset.gen || 0)"))
            started = time.monotonic()
            if action is None:
                browser.type_into("#account-q", account)
            else:
                browser.evaluate(action)
            browser.wait_for(
                f"document.body.dataset.ready === {view!r} && Number(document.body.dataset.gen) > {gen}", timeout=120
            )
            seconds = time.monotonic() - started
            lines.append(f"{label}: {seconds:.2f}s (page: {browser.evaluate('document.body.dataset.viewMs')} ms)")
    return lines


def synthetic(c1z: Path, grants: int) -> None:
    """A file of `grants` direct grants: 1,000 spaces x 10 permissions, to as many accounts as needed."""
    from baton_confluence.baton import pb
    from baton_confluence.baton.c1z import SyncStore

    spaces, perms = 1000, 10
    users = max(1, grants // (spaces * perms))

    def res(rtype: str, rid: str, name: str) -> pb.resource.Resource:
        return pb.resource.Resource(id=pb.resource.ResourceId(resource_type=rtype, resource=rid), display_name=name)

    ents = [
        pb.entitlement.Entitlement(
            id=f"space:{s}:perm-{p}", resource=res("space", str(s), f"Space {s}"), slug=f"perm-{p}"
        )
        for s in range(spaces)
        for p in range(perms)
    ]
    with SyncStore.open(c1z) as store:
        store.start_or_resume_sync()
        store.put_resource_types([pb.resource.ResourceType(id=t, display_name=t) for t in ("user", "space")])
        store.put_resources(res("space", str(s), f"Space {s}") for s in range(spaces))
        store.put_resources(res("user", f"u{u}", f"User {u}") for u in range(users))
        store.put_entitlements(ents)
        for u in range(users):
            principal = pb.resource.Resource(id=pb.resource.ResourceId(resource_type="user", resource=f"u{u}"))
            store.put_grants(pb.grant.Grant(id=f"{e.id}:user:u{u}", entitlement=e, principal=principal) for e in ents)
        store.end_sync()
        store.finalize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="a smaller site, for a quick look")
    parser.add_argument("--keep", default="", help="keep the c1z, CSV and page in this folder")
    parser.add_argument("--reuse", action="store_true", help="with --keep: use the c1z already there")
    parser.add_argument("--grants", type=int, default=0, help="also export a synthetic file of N grants")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep).resolve() if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        c1z, csv, page = folder / "sync.c1z", folder / "access.csv", folder / "access.html"
        if not (args.reuse and c1z.is_file()):
            c1z.unlink(missing_ok=True)
            sync_twice(c1z, args.small)
        env = base_env()
        print(f"c1z: {c1z.stat().st_size / 1_048_576:.1f} MiB")
        seconds, rss, _ = cli(["inspect", "export", str(c1z), "-o", str(csv)], env)
        rows = sum(1 for _ in csv.open(encoding="utf-8")) - 1
        print(
            f"export: {rows:,} rows, {csv.stat().st_size / 1_048_576:.1f} MiB in {seconds:.1f}s, peak RSS {rss:.0f} MiB"
        )
        seconds, rss, out = cli(["inspect", "diff", str(c1z)], env)
        print(
            f"diff: {seconds:.1f}s, peak RSS {rss:.0f} MiB; "
            + " / ".join(" ".join(x.split()) for x in out.splitlines()[4:7])
        )
        seconds, rss, _ = cli(["inspect", "report", str(c1z), "-o", str(page)], env)
        print(f"report: {page.stat().st_size / 1_048_576:.1f} MiB in {seconds:.1f}s, peak RSS {rss:.0f} MiB")
        holdings = Counter(line.split(",")[1] for line in csv.open(encoding="utf-8") if line.startswith("user,"))
        busiest = holdings.most_common(1)[0][0]
        seconds, rss, out = cli(["inspect", "access", str(c1z), "--user", busiest], env)
        print(f"access --user: {len(out.splitlines()) - 1} rows in {seconds:.1f}s, peak RSS {rss:.0f} MiB")
        space = next(line.split(",")[7] for line in csv.open(encoding="utf-8") if ",space," in line)
        for line in page_timings(page, busiest, f"space:{space}"):
            print(line)
        if args.grants:
            big = folder / "synthetic.c1z"
            big.unlink(missing_ok=True)
            started = time.monotonic()
            synthetic(big, args.grants)
            print(
                f"synthetic file: {args.grants:,} grants, {big.stat().st_size / 1_048_576:.0f} MiB in {time.monotonic() - started:.0f}s"
            )
            out_csv = folder / "synthetic.csv"
            seconds, rss, _ = cli(["inspect", "export", str(big), "-o", str(out_csv)], env)
            print(
                f"synthetic export: {out_csv.stat().st_size / 1_048_576:.0f} MiB in {seconds:.0f}s, peak RSS {rss:.0f} MiB"
            )
            if not args.keep:
                out_csv.unlink()


if __name__ == "__main__":
    main()
