"""The sync engine: drives a connector over gRPC and writes what it returns to a store.

Order as upstream: Validate, resource types, resources, then per resource (child resources,
static entitlements, entitlements, grants), then grant expansion and Cleanup. Per-resource work
runs with bounded concurrency; every page is written as it arrives, and the checkpoint is saved
every few seconds, so an interrupted sync resumes where it stopped.

The engine runs the phases and schedules the sweep; the work itself lives beside it: each
resource's steps are strategy objects (`sweep_steps.py`), principals no listing returned are
looked up by `principal_lookup.py`, accounts are counted by `accounts.py`, expansion is
`expansion.py`. It reaches the connector only through `ConnectorClient` (`client.py`).

A targeted sync (`SyncOptions.targets`) is a `partial` sync (docs/protocol.md §1.5, §3.3): the
named resources come from `GetResource` instead of the listings, then the same sweep lists their
child resources and the entitlements and grants of both, and expansion derives whatever the
partial sync's own grants allow. Grant principals are not looked up: they belong to the full
sync the partial one is read with (as upstream), and looking each up would cost a request per
principal. Targeted syncs always start afresh, as upstream.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc
import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.c1z import SyncStats, SyncStore, open_expansion_store
from baton_confluence.baton.sync import completeness
from baton_confluence.baton.sync.accounts import count_accounts
from baton_confluence.baton.sync.client import ConnectorClient, StepNotFound, SyncError
from baton_confluence.baton.sync.completeness import CompletenessReport
from baton_confluence.baton.sync.expansion import ExpansionOutcome, ExpansionStopped, expand_grants
from baton_confluence.baton.sync.principal_lookup import PrincipalLookup
from baton_confluence.baton.sync.progress import SyncProgress
from baton_confluence.baton.sync.resource_getter import NotFetched, get_resource
from baton_confluence.baton.sync.response_checks import check_resource
from baton_confluence.baton.sync.state import DONE, PHASES, Phase, SyncState
from baton_confluence.baton.sync.sweep_steps import SweepContext, steps_for
from baton_confluence.baton.sync.targets import SyncTarget

log = structlog.get_logger("baton.sync")

SWEEP_BATCH = 500
R = TypeVar("R")


@dataclass
class SyncOptions:
    concurrency: int = 16
    checkpoint_interval: float = 5.0
    resource_type_ids: Sequence[str] = ()
    skip_entitlements_and_grants: bool = False
    skip_expansion: bool = False
    # Entitlements still synced, grants not (upstream's skip_grants).
    skip_grants: bool = False
    # Non-empty: a partial sync of these resources only.
    targets: Sequence[SyncTarget] = ()


@dataclass
class SyncResult:
    sync_id: str
    resumed: bool
    sync_type: str
    progress: SyncProgress
    seconds: float
    rpc_calls: int
    warnings: list[str] = field(default_factory=list)
    # the finished sync's row counts as the file holds them (c1z stats), whatever run wrote them
    stats: SyncStats = field(default_factory=SyncStats)
    report: CompletenessReport = field(default_factory=CompletenessReport)


async def in_thread(fn: Callable[..., R], *args: Any, stop: threading.Event | None = None) -> R:
    """Run blocking store work off the event loop. If the caller is cancelled, ask the work to
    stop (when it can) and wait for the thread before re-raising, so the store is never
    closed under a running statement."""
    future = asyncio.get_running_loop().run_in_executor(None, functools.partial(fn, *args))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        if stop is not None:
            stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait({future})
        raise


class SyncEngine:
    def __init__(
        self,
        client: ConnectorClient,
        options: SyncOptions | None = None,
        progress: SyncProgress | None = None,
    ) -> None:
        self.client = client
        self.store: SyncStore
        self.options = options or SyncOptions()
        self.progress = progress or SyncProgress()
        self.state = SyncState()
        self.types: dict[str, pb.resource.ResourceType] = {}
        self.static_templates: dict[str, list[pb.entitlement.Entitlement]] = {}
        self.warnings: list[str] = []
        self._last_checkpoint = 0.0
        self._sweep_context: SweepContext | None = None

    async def run(self, store: SyncStore) -> SyncResult:
        """Runs (or resumes) a sync into `store` (partial when targeted); call `validate()` first."""
        started = time.monotonic()
        self.store = store
        if self.partial:
            sync_type = "partial"
            sync_id, token = self.store.start_partial_sync()
        else:
            # As upstream: skipping entitlements and grants makes a `resources_only` sync, which
            # readers do not pick as the default view over the latest full one.
            sync_type = "resources_only" if self.options.skip_entitlements_and_grants else "full"
            sync_id, token = self.store.start_or_resume_sync(sync_type)
        resumed = bool(token)
        self.state = SyncState.from_json(token)
        log.info(
            "sync_started" if not resumed else "sync_resumed",
            sync_id=sync_id,
            sync_type=sync_type,
            phase=self.state.phase,
            targets=[str(t) for t in self.options.targets] or None,
        )
        for phase in PHASES[PHASES.index(self.state.phase) :]:
            self.state.phase = phase
            self.progress.phase = phase
            self._checkpoint(force=True)
            phase_started = time.monotonic()
            await self._run_phase(phase)
            self.progress.phase_seconds[phase] = time.monotonic() - phase_started
        finish_started = time.monotonic()
        self.progress.expanded_grants = self.state.expanded_grants
        self._load_types()
        await in_thread(count_accounts, self.store, self.types, self.state.report)
        self._checkpoint(force=True)  # the finished sync keeps the account counts in its report
        stats = await in_thread(self.store.end_sync)
        report = self.state.report
        log.info(
            "sync_completeness",
            sync_id=sync_id,
            counters=dict(report.counters),
            unresolved=report.unresolved[:50],
            unresolved_total=report.unresolved_total,
        )
        await in_thread(self.store.cleanup)
        await self._connector_cleanup(sync_id)
        self.progress.phase_seconds["finish"] = time.monotonic() - finish_started
        return SyncResult(
            sync_id=sync_id,
            resumed=resumed,
            sync_type=sync_type,
            progress=self.progress,
            seconds=time.monotonic() - started,
            rpc_calls=self.client.calls,
            warnings=self.warnings,
            stats=stats,
            report=self.state.report,
        )

    async def _run_phase(self, phase: Phase) -> None:
        runners: dict[Phase, Callable[[], Awaitable[None]]] = {
            Phase.RESOURCE_TYPES: self._list_resource_types,
            Phase.RESOURCES: self._list_resources,
            Phase.SWEEP: self._run_sweep,
            Phase.EXPANSION: self._run_expansion,
        }
        if phase is not Phase.RESOURCE_TYPES:
            self._load_types()
        run = runners.get(phase)
        if run is not None:
            await run()

    async def _list_resources(self) -> None:
        """Top-level listings, or for a partial sync the targeted resources only."""
        if self.partial:
            await self._fetch_targets()
        else:
            await asyncio.gather(*(self._list_top_level(t) for t in self.types))

    async def _run_sweep(self) -> None:
        await self._load_static_templates()
        await self._sweep()

    async def _run_expansion(self) -> None:
        if not (self.options.skip_expansion or self.options.skip_entitlements_and_grants):
            await self._expand()

    @property
    def partial(self) -> bool:
        return bool(self.options.targets)

    async def _expand(self) -> None:
        """Expansion is long, local work: it runs in a thread so progress, heartbeats and
        cancellation keep working; on cancellation it is told to stop and awaited."""
        self.progress.expanded_grants = 0

        def count(added: int) -> None:
            self.progress.expanded_grants += added

        stop = threading.Event()

        def expand() -> ExpansionOutcome:
            with open_expansion_store(self.store) as store:
                return expand_grants(store, count, stop)

        try:
            outcome = await in_thread(expand, stop=stop)
        except ExpansionStopped:
            raise asyncio.CancelledError() from None
        if outcome.unfinished:
            # Not silently: the grants of these entitlements may be incomplete (expansion logged
            # them as `expansion_unfinished`; the warning goes to the summary).
            self.state.report.add({completeness.EXPANSION_UNFINISHED: len(outcome.unfinished)})
            self.warnings.append(
                f"grant expansion stopped at its safety bound for {len(outcome.unfinished)} entitlement(s) "
                f"(first: {outcome.unfinished[0]}); their derived grants may be incomplete"
            )
        self.state.expanded_grants = self.progress.expanded_grants

    # --- checkpointing -------------------------------------------------------------------
    def _checkpoint(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_checkpoint >= self.options.checkpoint_interval:
            self.store.checkpoint(self.state.to_json())
            self._last_checkpoint = now

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        log.warning("sync_step_skipped", reason=message)

    # --- phases ------------------------------------------------------------------------------
    async def validate(self) -> None:
        """Not retried here: the connector already retries transient failures, and a wrong URL or
        credentials should be reported in seconds, not after minutes of backoff."""
        try:
            await self.client.call(
                "Validate", self.client.connector.Validate, pb.connector.ConnectorServiceValidateRequest(), attempts=1
            )
        except StepNotFound as err:
            raise SyncError(f"validation failed: {err}", grpc.StatusCode.NOT_FOUND) from None

    async def _list_resource_types(self) -> None:
        wanted = set(self.options.resource_type_ids)
        found: list[pb.resource.ResourceType] = []
        token = ""
        while True:
            request = pb.resource.ResourceTypesServiceListResourceTypesRequest(page_token=token)
            resp = await self.client.call("ListResourceTypes", self.client.resource_types.ListResourceTypes, request)
            found.extend(rt for rt in resp.list if not wanted or rt.id in wanted)
            if not resp.next_page_token:
                break
            token = resp.next_page_token
        unknown = wanted - {rt.id for rt in found}
        if unknown:
            raise SyncError(
                f"unknown resource types requested: {', '.join(sorted(unknown))}", grpc.StatusCode.INVALID_ARGUMENT
            )
        self.store.put_resource_types(found)

    def _load_types(self) -> None:
        if not self.types:  # filled in place: the sweep's context shares this dict
            self.types.update((rt.id, rt) for rt in self.store.iter_resource_types())

    async def _list_top_level(self, type_id: str) -> None:
        token = self.state.listings.get(type_id, "")
        while token != DONE:
            request = pb.resource.ResourcesServiceListResourcesRequest(resource_type_id=type_id, page_token=token)
            try:
                resp = await self.client.call(f"ListResources({type_id})", self.client.resources.ListResources, request)
            except StepNotFound as err:
                self._warn(str(err))
                break
            self._put_resources(resp.list, self.types[type_id])
            self.state.report.add(completeness.read_notes(resp.annotations))
            token = resp.next_page_token or DONE
            self.state.listings[type_id] = token
            self._checkpoint()
        self.state.listings[type_id] = DONE

    async def _fetch_targets(self) -> None:
        """Each targeted resource through GetResource, stored for the sweep to work through.

        As upstream: targets outside `resource_type_ids` are left out, and one the connector
        cannot find or cannot fetch by id is skipped (here with a warning, not silently)."""
        wanted = set(self.options.resource_type_ids)
        for target in self.options.targets:
            if wanted and target.resource_type not in wanted:
                self._warn(f"targeted resource {target}: type not in the synced resource types")
                continue
            resource_type = self.types.get(target.resource_type)
            if resource_type is None:
                raise SyncError(
                    f"cannot sync {target}: the connector has no resource type {target.resource_type!r} "
                    f"(it has {', '.join(sorted(self.types))})",
                    grpc.StatusCode.INVALID_ARGUMENT,
                )
            resource = await get_resource(self.client, target.resource_id_message, target.parent_id_message)
            if isinstance(resource, NotFetched):
                # The connector's own reason, which names what left it out (a filter, say).
                why = f" ({resource.reason})" if resource.reason else ""
                self._warn(f"targeted resource {target}: the connector could not fetch it{why}")
                continue
            self._put_resources([resource], resource_type)

    def _put_resources(
        self, resources: Sequence[pb.resource.Resource], resource_type: pb.resource.ResourceType
    ) -> None:
        for resource in resources:
            check_resource(resource, resource_type)
        self.store.put_resources(resources)
        self.progress.resources[resource_type.id] += len(resources)

    async def _load_static_templates(self) -> None:
        for type_id in self.types:
            templates: list[pb.entitlement.Entitlement] = []
            token = ""
            while True:
                request = pb.entitlement.EntitlementsServiceListStaticEntitlementsRequest(
                    resource_type_id=type_id, page_token=token
                )
                try:
                    resp = await self.client.call(
                        f"ListStaticEntitlements({type_id})", self.client.entitlements.ListStaticEntitlements, request
                    )
                except StepNotFound:
                    break
                templates.extend(resp.list)
                token = resp.next_page_token
                if not token:
                    break
            if templates:
                self.static_templates[type_id] = templates

    # --- the per-resource sweep ------------------------------------------------------------
    async def _sweep(self) -> None:
        tasks: set[asyncio.Task[None]] = set()
        last = self.state.sweep.frontier
        try:
            while True:
                rows = list(self.store.iter_resources(after_rowid=last, limit=SWEEP_BATCH))
                if not rows:
                    if not tasks:
                        return
                    tasks = await self._reap(tasks, asyncio.FIRST_COMPLETED)
                    continue
                for rowid, resource in rows:
                    last = rowid
                    if self.state.sweep.is_done(rowid):
                        continue
                    while len(tasks) >= self.options.concurrency:
                        tasks = await self._reap(tasks, asyncio.FIRST_COMPLETED)
                    self.state.sweep.dispatch(rowid)
                    tasks.add(asyncio.create_task(self._sweep_resource(rowid, resource)))
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _reap(self, tasks: set[asyncio.Task[None]], when: str) -> set[asyncio.Task[None]]:
        done, pending = await asyncio.wait(tasks, return_when=when)
        for task in done:
            task.result()  # re-raises SyncError, which ends the sync
        self._checkpoint()
        return pending

    def _context(self) -> SweepContext:
        if self._sweep_context is None:
            lookup = PrincipalLookup(
                self.client, self.store, self.types, self.state.report, self._put_resources, self.options.concurrency
            )
            self._sweep_context = SweepContext(
                client=self.client,
                store=self.store,
                types=self.types,
                static_templates=self.static_templates,
                progress=self.progress,
                report=self.state.report,
                put_resources=self._put_resources,
                # A partial sync's grant principals belong to the full sync it is read with.
                close_principals=None if self.partial else lookup.close,
            )
        return self._sweep_context

    async def _sweep_resource(self, rowid: int, resource: pb.resource.Resource) -> None:
        context = self._context()
        steps = steps_for(
            context,
            resource,
            skip_entitlements_and_grants=self.options.skip_entitlements_and_grants,
            skip_grants=self.options.skip_grants,
        )
        start_step, token = self.state.sweep.steps.get(rowid, (0, ""))
        for index, step in enumerate(steps):
            if index < start_step:
                continue
            if index > start_step:
                token = ""

            def save(next_token: str, index: int = index) -> None:
                self.state.sweep.steps[rowid] = (index, next_token)

            try:
                await step.run(context, resource, token, save)
            except StepNotFound as err:
                self._warn(str(err))
            self.state.sweep.steps[rowid] = (index + 1, "")
        self.state.sweep.finish(rowid)

    async def _connector_cleanup(self, sync_id: str) -> None:
        request = pb.connector.ConnectorServiceCleanupRequest(active_sync_id=sync_id)
        try:
            await self.client.connector.Cleanup(request)
        except grpc.aio.AioRpcError as err:
            log.warning("connector_cleanup_failed", error=err.details())
