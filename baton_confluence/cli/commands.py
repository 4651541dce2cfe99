"""What each command does; `main` parses flags and picks one."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from baton_confluence.baton.config.schema import capabilities_json, configuration, configuration_json
from baton_confluence.baton.runner.local_sync import StorageEngine, sync_to_file
from baton_confluence.baton.server import ConnectorServer, connector_capabilities
from baton_confluence.baton.sync.engine import SyncOptions, SyncResult
from baton_confluence.baton.sync.progress import SyncProgress
from baton_confluence.baton.sync.targets import parse_targets
from baton_confluence.cli import progress, summary
from baton_confluence.cli.errors import UsageError
from baton_confluence.confluence.builder import build_connector, capabilities_connector
from baton_confluence.confluence.settings import ConfluenceSettings

if TYPE_CHECKING:
    from baton_confluence.baton.c1z import C1ZReader
    from baton_confluence.baton.inspect import ReviewRules
    from baton_confluence.baton.service import ServiceConfig

log = structlog.get_logger("baton_confluence")
# The resource type of the site's global permissions (issue 20; README "What it syncs").
SITE_RESOURCE_TYPE = "site"


def print_capabilities() -> int:
    sys.stdout.write(capabilities_json(connector_capabilities(capabilities_connector().syncers())))
    return 0


def print_config() -> int:
    conf = configuration(ConfluenceSettings, "Confluence", "/docs/baton/confluence", "/static/app-icons/confluence.svg")
    sys.stdout.write(configuration_json(conf))
    return 0


def inspect(path: Path, args: argparse.Namespace) -> int:
    """The listings, the access questions, diff, export and the review page (`inspect KIND`)."""
    from baton_confluence.baton.c1z import C1ZReader
    from baton_confluence.baton.inspect import AccessView, ResourceRef, diff, export, lookups, render

    kind: str = args.kind
    sync_id = getattr(args, "sync", "") or None
    with C1ZReader.open(path, sync_id=sync_id) as reader:
        if kind == "diff":
            pair = diff.choose_syncs(reader, args.from_sync or None, args.to_sync or None)
            differs = diff.write_diff(reader, pair, sys.stdout, args.output)
            return 1 if differs and args.exit_code else 0
        if kind == "export":
            rows = export.export(AccessView(reader), args.output)
            if args.output != export.STDOUT:
                print(f"wrote {rows:,} rows to {args.output}", file=sys.stderr)
            return 0
        if kind == "report":
            from baton_confluence.baton.inspect import report

            summary = report.write_report(reader, Path(args.output), review_rules(args.many, args.dormant_days))
            print(summary, file=sys.stderr)
            return 0
        if kind == "restricted":
            sys.stdout.write(restricted_content(reader, args.space, args.output))
            return 0
        if kind == "access":
            view = AccessView(reader)
            principal = (
                ResourceRef(view.user_type(), args.user)
                if args.user
                else ResourceRef.parse(args.principal, "--principal")
            )
            sys.stdout.write(lookups.access(view, principal, args.output))
            return 0
        if kind == "principals":
            view = AccessView(reader)
            resource = ResourceRef.parse(args.resource, "--resource") if args.resource else None
            text = lookups.principals(
                view, entitlement_id=args.entitlement or None, resource=resource, output=args.output
            )
            sys.stdout.write(text)
            return 0
        text = render(
            kind,
            reader,
            output=args.output,
            resource_type=args.resource_type or None,
            entitlement_id=args.entitlement or None,
        )
        print(text)
    return 0


def restricted_content(reader: C1ZReader, space: str, output: str) -> str:
    """`inspect restricted`: effective viewers by Confluence's rule (content_types.py)."""
    from baton_confluence.baton.inspect import layered_access, render_layered
    from baton_confluence.confluence.content_types import content_access_rule
    from baton_confluence.confluence.resource_types import SPACE

    container = None
    if space:
        container = space if space.startswith(f"{SPACE}:") else f"{SPACE}:{space}"
    return render_layered(layered_access(reader, content_access_rule(), container=container), output)


def review_rules(many: int, dormant_days: int = 90) -> ReviewRules:
    """What the review page singles out, in Confluence's terms: space administration, the access
    classes (anonymous users and the like, docs/access-classes.md), the `site` resource of the
    global permissions, and the option that syncs last-activity dates (issue 20)."""
    from baton_confluence.baton.inspect import ReviewRules
    from baton_confluence.confluence.content_types import content_access_rule
    from baton_confluence.confluence.permissions import Permission
    from baton_confluence.confluence.resource_types import ACCESS_CLASS, SPACE

    if many < 1:
        raise UsageError("--many must be at least 1")
    if dormant_days < 1:
        raise UsageError("--dormant-days must be at least 1")
    return ReviewRules(
        admin_slugs=frozenset({Permission("administer", SPACE).slug}),
        open_access_types=frozenset({ACCESS_CLASS}),
        many_admin_threshold=many,
        site_types=frozenset({SITE_RESOURCE_TYPE}),
        dormant_days=dormant_days,
        activity_option="--last-activity",
        layered=content_access_rule(),
    )


def service_sync_defaults(settings: ConfluenceSettings) -> SyncOptions:
    """What every sync task starts from: pace and resource types only. As upstream, the skips and
    targets of a service-mode sync come from its task alone (docs/service-mode.md)."""
    if settings.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    return SyncOptions(
        concurrency=settings.concurrency,
        checkpoint_interval=settings.checkpoint_interval_seconds,
        resource_type_ids=tuple(settings.sync_resource_types),
    )


def sync_options(settings: ConfluenceSettings) -> SyncOptions:
    """The one-shot sync: the service defaults plus the local skips and targets."""
    targets = parse_targets(settings.sync_resources)
    if settings.skip_grants and not targets:
        raise UsageError("--skip-grants can only be set within a targeted sync: add --sync-resources")
    return replace(
        service_sync_defaults(settings),
        skip_entitlements_and_grants=settings.skip_entitlements_and_grants,
        skip_grants=settings.skip_grants,
        targets=targets,
    )


def c1z_temp_dir(settings: ConfluenceSettings) -> Path | None:
    if not settings.c1z_temp_dir:
        return None
    path = Path(settings.c1z_temp_dir)
    if not path.is_dir():
        raise UsageError(f"--c1z-temp-dir {path} is not an existing directory; create it or choose another")
    return path


async def sync(settings: ConfluenceSettings) -> int:
    options = sync_options(settings)
    engine = StorageEngine.parse(settings.storage_engine)
    c1z_temp_dir(settings)  # checked in every mode, as upstream
    connector = build_connector(settings)
    path = Path(settings.file)
    state = SyncProgress()
    async with progress.shown(state, terminal=sys.stderr.isatty() and settings.log_format != "json"):
        result: SyncResult = await sync_to_file(connector, path, options, state, engine)
    print(summary.render(result, path, connector.requests_sent(), connector.rate_limited()))
    return 0


async def demo(settings: ConfluenceSettings, users: int, groups: int, spaces: int, latency_ms: int) -> int:
    try:
        # The simulated site is a package of its own, shipped apart from the connector.
        from confluence_simulator import SimulatedSite, SiteSpec
    except ImportError:
        raise UsageError(
            "the demo needs the simulated Confluence site (package confluence-simulator), which is not installed: "
            "run `make demo` from a checkout, or `pip install ./simulator`"
        ) from None

    spec = SiteSpec(users=users, groups=groups, spaces=spaces, latency_ms=latency_ms)
    with SimulatedSite(spec) as site:
        print(f"Simulated Confluence site at {site.url} ({users} users, {groups} groups, {spaces} spaces)")
        demo_settings = settings.model_copy(
            update={"domain_url": site.url, "username": spec.username, "api_key": spec.api_token}
        )
        return await sync(demo_settings)


async def serve(settings: ConfluenceSettings, listen: str) -> int:
    connector = build_connector(settings)
    server = ConnectorServer(connector, listen=listen, provisioning=settings.provisioning)
    address = await server.start()
    try:
        log.info("serving", address=address, provisioning=settings.provisioning)
        # Fails (BrokenPipeError, cli/main.py) when the reader of the first line has gone.
        print(f"serving the connector on {address}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await server.stop(2.0)
        await connector.close()
    return 0


async def provision(settings: ConfluenceSettings) -> int:
    from baton_confluence.baton.runner.provision import already, grant_from_file, revoke_from_file

    path = Path(settings.file)
    if settings.revoke_grant and (settings.grant_entitlement or settings.grant_principal):
        raise UsageError("--revoke-grant cannot be combined with --grant-entitlement/--grant-principal")
    if not path.is_file():
        raise UsageError(f"{path} does not exist; provisioning reads ids from a synced c1z (-f/--file)")
    connector = build_connector(settings)
    if settings.revoke_grant:
        revoked = await revoke_from_file(connector, path, settings.revoke_grant)
        print(f"revoked {settings.revoke_grant}{already(revoked.annotations)}")
        return 0
    if not (settings.grant_entitlement and settings.grant_principal and settings.grant_principal_type):
        raise UsageError("--grant-entitlement, --grant-principal and --grant-principal-type are required together")
    granted = await grant_from_file(
        connector, path, settings.grant_entitlement, settings.grant_principal_type, settings.grant_principal
    )
    who = f"{settings.grant_principal_type}:{settings.grant_principal}"
    print(f"granted {settings.grant_entitlement} to {who}{already(granted.annotations)}")
    return 0


def service_config(settings: ConfluenceSettings) -> ServiceConfig:
    """Service mode's settings. Local --skip-entitlements-and-grants and --sync-resources apply to
    one-shot syncs only, as upstream; --sync-resource-types is the default for tasks without their own."""
    from baton_confluence.baton.service import ServiceConfig

    if not (settings.client_id and settings.client_secret):
        raise UsageError("--client-id and --client-secret are required together for service mode")
    if settings.skip_grants:
        raise UsageError("--skip-grants can only be set within a targeted sync: add --sync-resources")
    ignored = [
        flag
        for flag, value in (
            ("--skip-entitlements-and-grants", settings.skip_entitlements_and_grants),
            ("--sync-resources", bool(settings.sync_resources)),
        )
        if value
    ]
    if ignored:
        # Said once at start-up: otherwise a stray variable looks like a task that was not honoured.
        log.warning("local_sync_settings_ignored", settings=ignored, reason="sync tasks bring their own")
    return ServiceConfig(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        task_concurrency=settings.task_concurrency,
        provisioning=settings.provisioning,
        health_check=settings.health_check,
        health_check_port=settings.health_check_port,
        health_check_bind_address=settings.health_check_bind_address,
        sync_options=service_sync_defaults(settings),
        storage_engine=StorageEngine.parse(settings.storage_engine),
        temp_dir=c1z_temp_dir(settings),
    )


async def service_mode(settings: ConfluenceSettings) -> int:
    from baton_confluence.baton.service import run_service

    config = service_config(settings)
    first = build_connector(settings)  # fail early on missing or bad Confluence settings
    await first.close()
    await run_service(config, lambda: build_connector(settings))
    return 0
