"""`baton-confluence`: sync Confluence to a c1z file, serve the connector, or provision access."""

from __future__ import annotations

import argparse
import asyncio
import os
import select
import stat
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import pydantic
import structlog

from baton_confluence import __version__
from baton_confluence.baton.config.args import add_setting_flags, given_flags
from baton_confluence.baton.config.settings import BatonSettings
from baton_confluence.baton.logsetup import configure
from baton_confluence.cli.errors import UsageError, invalid_setting, is_bug, one_line
from baton_confluence.confluence.settings import ConfluenceSettings

DESCRIPTION = """\
Sync who-can-do-what in Atlassian Confluence into a c1z file for access reviews,
serve the Baton connector protocol, or grant and revoke access.

Every flag can also be set with its BATON_* environment variable or in .baton.yaml.
With --client-id/--client-secret it runs in service mode for ConductorOne."""

EPILOG = """\
commands:
  (none)        sync the site given by --domain-url into --file (default sync.c1z)
  demo          start the built-in simulated Confluence site and sync it
  capabilities  print the connector's capabilities (JSON)
  config        print the configuration schema (JSON)
  inspect       show what a c1z file holds: resource-types, resources, entitlements, grants, syncs, stats;
                who has access: access, principals; what changed: diff; for reviews: export, report
  serve         serve the connector over gRPC for another sync engine

exit codes: 0 success, 1 unusable c1z file (or a bug: please report), 2 usage error, otherwise
the gRPC status code (3 invalid argument, 7 permission denied, 14 unavailable, 16 unauthenticated)."""


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    connector_fields = set(ConfluenceSettings.model_fields) - set(BatonSettings.model_fields)
    add_setting_flags(common.add_argument_group("Confluence"), ConfluenceSettings, connector_fields)
    add_setting_flags(common.add_argument_group("sync, service mode and provisioning"), BatonSettings)
    parser = argparse.ArgumentParser(
        prog="baton-confluence",
        description=DESCRIPTION,
        epilog=EPILOG,
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        # No abbreviations: with flags like --sync-resources beside inspect's --sync, a prefix is
        # ambiguous at the top level before the subcommand sees it, and a typo must not pick a flag.
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"baton-confluence {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", parents=[common], help="sync the built-in simulated Confluence site")
    demo.add_argument("--users", type=int, default=60, help="simulated users (default 60)")
    demo.add_argument("--groups", type=int, default=12, help="simulated groups (default 12)")
    demo.add_argument("--spaces", type=int, default=25, help="simulated spaces (default 25)")
    demo.add_argument("--latency-ms", type=int, default=0, help="simulated API latency per request")
    commands.add_parser("capabilities", parents=[common], help="print the connector capabilities")
    commands.add_parser("config", parents=[common], help="print the configuration schema")
    inspect = commands.add_parser(
        "inspect", parents=[common], allow_abbrev=False, help="show what a c1z file holds, who has access, what changed"
    )
    add_inspect_commands(inspect, common)
    serve = commands.add_parser("serve", parents=[common], help="serve the connector over gRPC")
    serve.add_argument("--listen", default="127.0.0.1:50051", help="address to listen on (default 127.0.0.1:50051)")
    return parser


INSPECT_LISTS = ("resource-types", "resources", "entitlements", "grants", "syncs", "stats")


def add_inspect_commands(inspect: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """`inspect KIND [path]`: each kind has its own flags; `-o` is the format (table or json),
    except for `export` and `report`, where it names the file written."""
    kinds = inspect.add_subparsers(dest="kind", metavar="KIND", required=True)

    def kind(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = kinds.add_parser(name, parents=[common], allow_abbrev=False, help=help_text)
        sub.add_argument("path", nargs="?", help="the c1z file (default: --file)")
        return sub

    def formats(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("-o", "--output", choices=["table", "json"], default="table", help="format (default table)")

    def sync_choice(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--sync", default="", metavar="SYNC_ID", help="this sync (default: the latest full sync)")

    for name in INSPECT_LISTS:
        sub = kind(name, f"list {name.replace('-', ' ')}" if name != "stats" else "counts and completeness report")
        formats(sub)
        sub.add_argument("--resource-type", default="", help="only this resource type")
        sub.add_argument("--entitlement", default="", help="grants: only this entitlement id")
    access = kind("access", "every entitlement a principal holds, directly or via which group")
    who = access.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", default="", metavar="ID", help="the account with this id")
    who.add_argument("--principal", default="", metavar="TYPE:ID", help="any principal, e.g. group:123")
    formats(access)
    sync_choice(access)
    holders = kind("principals", "who holds an entitlement, or anything on a resource, directly or via which group")
    what = holders.add_mutually_exclusive_group(required=True)
    what.add_argument("--entitlement", default="", metavar="ID", help="e.g. space:123:administer-space")
    what.add_argument("--resource", default="", metavar="TYPE:ID", help="e.g. space:123")
    formats(holders)
    sync_choice(holders)
    diff = kind("diff", "resources, entitlements and grants added and removed between two syncs")
    diff.add_argument(
        "--from", dest="from_sync", default="", metavar="SYNC_ID", help="default: the full sync before --to"
    )
    diff.add_argument("--to", dest="to_sync", default="", metavar="SYNC_ID", help="default: the latest full sync")
    diff.add_argument("--exit-code", action="store_true", help="exit 1 when there are differences (as git diff)")
    formats(diff)
    export = kind("export", "every holding as CSV: principal, entitlement, direct or via which group")
    export.add_argument("-o", "--output", default="access.csv", metavar="FILE", help="default access.csv; - for stdout")
    sync_choice(export)
    restricted = kind("restricted", "restricted pages and blog posts: who can actually view each, who is listed but cannot")
    restricted.add_argument("--space", default="", metavar="ID", help="only the content of this space (id or space:ID)")
    formats(restricted)
    sync_choice(restricted)
    report = kind("report", "a self-contained HTML page for an access review")
    report.add_argument("-o", "--output", default="access.html", metavar="FILE", help="default access.html")
    report.add_argument(
        "--many",
        type=int,
        default=10,
        metavar="N",
        help="highlight accounts that administer N or more resources (default 10)",
    )
    report.add_argument(
        "--dormant-days",
        type=int,
        default=90,
        metavar="N",
        help="highlight accounts holding access with no activity for N days before the sync ended, or never (default 90)",
    )
    sync_choice(report)


def load_settings(args: argparse.Namespace) -> ConfluenceSettings:
    try:
        return ConfluenceSettings(**given_flags(args, ConfluenceSettings))
    except pydantic.ValidationError as err:
        raise invalid_setting(err) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging_ready = False
    try:
        settings = load_settings(args)
        configure(settings.log_level, settings.log_format, settings.secrets())
        logging_ready = True
        code = asyncio.run(dispatch(args, settings))
        sys.stdout.flush()  # a closed pipe shows up here for output still in the buffer
        return code
    except BrokenPipeError as err:
        if not stdout_reader_gone():
            return report_failure(err, logging_ready)
        # `... | head -1`: the reader has what it wanted. What the command did is done (a sync's
        # file is written before its summary is printed), so the exit is quiet and 0.
        silence_stdout()
        return 0
    except KeyboardInterrupt:
        print("error: interrupted; run the same command again to resume the sync", file=sys.stderr)
        return 1
    except Exception as err:
        return report_failure(err, logging_ready)


def report_failure(err: Exception, logging_ready: bool = True) -> int:
    """Every failure becomes one readable line, never a traceback on the terminal. A bug's
    traceback goes to the debug log (redacted like every log line), once logging is set up:
    before that, structlog's defaults would print it."""
    if logging_ready and is_bug(err):
        trace = "".join(traceback.format_exception(err))
        structlog.get_logger("baton_confluence").debug("unexpected_error", error=type(err).__name__, traceback=trace)
    message, code = one_line(err)
    print(f"error: {message}", file=sys.stderr)
    return code


def stdout_reader_gone() -> bool:
    """Whether stdout is a pipe or socket whose reading end is closed, as opposed to a
    BrokenPipeError from some other connection, which is a real failure."""
    try:
        fd = sys.stdout.fileno()
        mode = os.fstat(fd).st_mode
    except (OSError, ValueError):
        return False
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    # Linux and the BSDs flag the writing end of a pipe without readers with POLLERR or POLLHUP.
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def silence_stdout() -> None:
    """Point stdout at /dev/null so Python's own flush at exit does not report the pipe again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


async def dispatch(args: argparse.Namespace, settings: ConfluenceSettings) -> int:
    from baton_confluence.cli import commands

    command = args.command or ""
    if command == "capabilities":
        return commands.print_capabilities()
    if command == "config":
        return commands.print_config()
    if command == "inspect":
        return commands.inspect(Path(args.path or settings.file), args)
    if command == "demo":
        return await commands.demo(settings, args.users, args.groups, args.spaces, args.latency_ms)
    if command == "serve":
        return await commands.serve(settings, args.listen)
    if settings.client_id or settings.client_secret:
        return await commands.service_mode(settings)
    if settings.grant_entitlement or settings.grant_principal or settings.revoke_grant:
        return await commands.provision(settings)
    if not settings.domain_url:
        raise UsageError(
            "--domain-url (BATON_DOMAIN_URL) is required; run `baton-confluence demo` to try the simulated site"
        )
    return await commands.sync(settings)


if __name__ == "__main__":
    sys.exit(main())
