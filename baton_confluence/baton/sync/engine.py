"""The sync engine: drives a connector over gRPC and writes what it returns to a store.

Order as upstream: Validate, resource types, resources, then per resource (child resources,
static entitlements, entitlements, grants), then grant expansion and Cleanup. Per-resource work
runs with bounded concurrency; every page is written as it arrives, and the checkpoint is saved
every few seconds, so an interrupted sync resumes where it stopped.

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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc
import structlog

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.c1z.expansion_store import expansion_store
from baton_confluence.baton.c1z.stats import SyncStats
from baton_confluence.baton.c1z.store import SyncStore
from baton_confluence.baton.ids import entitlement_id
from baton_confluence.baton.sync import completeness
from baton_confluence.baton.sync.client import ConnectorClient, StepNotFound, SyncError
from baton_confluence.baton.sync.completeness import CompletenessReport
from baton_confluence.baton.sync.expansion import ExpansionOutcome, ExpansionStopped, expand_grants
from baton_confluence.baton.sync.progress import SyncProgress
from baton_confluence.baton.sync.state import DONE, PHASES, SyncState
from baton_confluence.baton.sync.targets import SyncTarget
from baton_confluence.baton.sync.validation import check_resource, skips

log = structlog.get_logger("baton.sync")

SWEEP_BATCH = 500
R = TypeVar("R")


@dataclass(frozen=True)
class NotFetched:
    """GetResource gave no resource; `reason` is the connector's NOT_FOUND message, if it sent one."""

    reason: str = ""


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


@dataclass(frozen=True)
class Step:
    kind: str  # children | static | entitlements | grants
    child_type: str = ""


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
        # principal lookups in flight, so that concurrent grant pages naming one principal share one
        self._lookups: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._lookup_slots = asyncio.Semaphore(max(1, self.options.concurrency))

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
            await self._run_phase(phase, sync_id)
            self.progress.phase_seconds[phase] = time.monotonic() - phase_started
        finish_started = time.monotonic()
        self.progress.expanded_grants = self.state.expanded_grants
        await in_thread(self._count_accounts)
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

    async def _run_phase(self, phase: str, sync_id: str) -> None:
        if phase == "resource_types":
            await self._list_resource_types()
            return
        self._load_types()
        if phase == "resources" and self.partial:
            await self._fetch_targets()
        elif phase == "resources":
            await asyncio.gather(*(self._list_top_level(t) for t in self.types))
        elif phase == "sweep":
            await self._load_static_templates()
            await self._sweep()
        elif phase == "expansion" and not (self.options.skip_expansion or self.options.skip_entitlements_and_grants):
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
            with expansion_store(self.store) as store:
                return expand_grants(store, count, stop)

        try:
            outcome = await in_thread(expand, stop=stop)
        except ExpansionStopped:
            raise asyncio.CancelledError() from None
        if outcome.unfinished:
            # Not silently: the grants of these entitlements may be incomplete (expansion logged them).
            self.state.report.add({completeness.EXPANSION_UNFINISHED: len(outcome.unfinished)})
            self._warn(
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
        if not self.types:
            self.types = {rt.id: rt for rt in self.store.iter_resource_types()}

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
            resource = await self._get_resource(target.resource_id_message, target.parent_id_message)
            if isinstance(resource, NotFetched):
                # The connector's own reason, which names what left it out (a filter, say).
                why = f" ({resource.reason})" if resource.reason else ""
                self._warn(f"targeted resource {target}: the connector could not fetch it{why}")
                continue
            self._put_resources([resource], resource_type)

    async def _get_resource(
        self, resource_id: pb.resource.ResourceId, parent: pb.resource.ResourceId | None = None
    ) -> pb.resource.Resource | NotFetched:
        """GetResource; NotFetched when the connector does not know the resource or cannot fetch its type."""
        name = f"{resource_id.resource_type}:{resource_id.resource}"
        request = pb.resource.ResourceGetterServiceGetResourceRequest(resource_id=resource_id)
        if parent is not None:
            request.parent_resource_id.CopyFrom(parent)
        try:
            resp = await self.client.call(f"GetResource({name})", self.client.resource_getter.GetResource, request)
        except StepNotFound as err:
            return NotFetched(err.details)
        except SyncError as err:
            if err.code != grpc.StatusCode.UNIMPLEMENTED:
                raise
            return NotFetched()
        if not resp.resource.id.resource:
            return NotFetched()
        got = resp.resource.id
        if (got.resource_type, got.resource) != (resource_id.resource_type, resource_id.resource):
            raise SyncError(f"GetResource({name}) returned {got.resource_type}:{got.resource}: a connector bug")
        return resp.resource

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

    def _steps(self, resource: pb.resource.Resource) -> list[Step]:
        resource_type = self.types.get(resource.id.resource_type)
        if resource_type is None:
            return []
        steps = [
            Step("children", c.resource_type_id)
            for c in ann.find_all(resource.annotations, pb.resource_tree.ChildResourceType)
        ]
        if self.options.skip_entitlements_and_grants:
            return steps
        skip_entitlements, skip_grants = skips(resource, resource_type)
        if resource.id.resource_type in self.static_templates:
            steps.append(Step("static"))
        if not skip_entitlements:
            steps.append(Step("entitlements"))
        if not (skip_grants or self.options.skip_grants):
            steps.append(Step("grants"))
        return steps

    async def _sweep_resource(self, rowid: int, resource: pb.resource.Resource) -> None:
        start_step, token = self.state.sweep.steps.get(rowid, (0, ""))
        for index, step in enumerate(self._steps(resource)):
            if index < start_step:
                continue
            if index > start_step:
                token = ""
            try:
                await self._run_step(rowid, index, step, resource, token)
            except StepNotFound as err:
                self._warn(str(err))
            self.state.sweep.steps[rowid] = (index + 1, "")
        self.state.sweep.finish(rowid)

    async def _run_step(self, rowid: int, index: int, step: Step, resource: pb.resource.Resource, token: str) -> None:
        if step.kind == "static":
            self._materialise_static(resource)
            return
        while True:
            items, token, annotations = await self._fetch_page(step, resource, token)
            if step.kind == "grants" and not self.partial:
                await self._close_principals(items)
            self._store_items(step, items)
            self.state.report.add(completeness.read_notes(annotations))
            if not token:
                return
            self.state.sweep.steps[rowid] = (index, token)

    async def _fetch_page(
        self, step: Step, resource: pb.resource.Resource, token: str
    ) -> tuple[Sequence[Any], str, Sequence[Any]]:
        rid = f"{resource.id.resource_type}:{resource.id.resource}"
        resp: Any
        if step.kind == "children":
            request = pb.resource.ResourcesServiceListResourcesRequest(
                resource_type_id=step.child_type, parent_resource_id=resource.id, page_token=token
            )
            resp = await self.client.call(
                f"ListResources({step.child_type} of {rid})", self.client.resources.ListResources, request
            )
        elif step.kind == "entitlements":
            ent_request = pb.entitlement.EntitlementsServiceListEntitlementsRequest(resource=resource, page_token=token)
            resp = await self.client.call(
                f"ListEntitlements({rid})", self.client.entitlements.ListEntitlements, ent_request
            )
        else:
            grant_request = pb.grant.GrantsServiceListGrantsRequest(resource=resource, page_token=token)
            resp = await self.client.call(f"ListGrants({rid})", self.client.grants.ListGrants, grant_request)
        return resp.list, resp.next_page_token, resp.annotations

    def _store_items(self, step: Step, items: Sequence[Any]) -> None:
        if step.kind == "children":
            child_type = self.types.get(step.child_type)
            if child_type is not None:
                self._put_resources(items, child_type)
        elif step.kind == "entitlements":
            kept = [e for e in items if e.resource.id.resource_type in self.types]
            self.store.put_entitlements(kept)
            self.progress.entitlements += len(kept)
        else:
            kept = []
            for g in items:
                if g.entitlement.resource.id.resource_type not in self.types:
                    continue  # a type left out of this sync on purpose (resource_type_ids)
                if g.principal.id.resource_type not in self.types:
                    # Not silently: the connector named a principal type it never declared.
                    self.state.report.add({f"{completeness.UNDECLARED_TYPE}.{g.principal.id.resource_type}": 1})
                    continue
                kept.append(g)
            self.store.put_grants(kept)
            self.progress.grants += len(kept)

    def _count_accounts(self) -> None:
        """Accounts by kind and status for the report (`accounts.kind.HUMAN`, `accounts.status.
        DELETED`...), read from the finished sync, so a resumed sync counts the same."""
        user_types = [t for t, rt in self.types.items() if pb.resource.ResourceType.Trait.TRAIT_USER in rt.traits]
        counts: Counter[str] = Counter()
        kind_name = pb.trait.UserTrait.AccountType.Name
        status_name = pb.trait.UserTrait.Status.Status.Name
        for type_id in user_types:
            for _, resource in self.store.iter_resources(type_id):
                trait = ann.find(resource.annotations, pb.trait.UserTrait)
                if trait is None:
                    continue
                kind = kind_name(trait.account_type).removeprefix("ACCOUNT_TYPE_")
                status = status_name(trait.status.status).removeprefix("STATUS_")
                counts[f"accounts.kind.{kind}"] += 1
                counts[f"accounts.status.{status}"] += 1
        for name in [n for n in self.state.report.counters if n.startswith(("accounts.kind.", "accounts.status."))]:
            del self.state.report.counters[name]
        self.state.report.add(counts)

    # --- principal closure -------------------------------------------------------------------
    async def _close_principals(self, grants: Sequence[pb.grant.Grant]) -> None:
        """Make every principal these grants name exist in the sync before the grants are stored.

        A principal no listing returned (an app account, a user past a search ceiling, an
        account deleted since) is fetched once with GetResource; concurrent pages naming the same
        principal share the lookup. Whatever the lookup says, the grant is kept: a principal that
        cannot be fetched is named in the completeness report, never dropped silently.
        """
        keys = {
            (g.principal.id.resource_type, g.principal.id.resource)
            for g in grants
            if g.principal.id.resource_type in self.types and g.principal.id.resource
        }
        if not keys:
            return
        # A finished lookup has stored its resource before its task leaves `_lookups`, so a key
        # that is neither in flight nor in the store really needs one.
        for key in self.store.missing_resources(k for k in keys if k not in self._lookups):
            task = asyncio.create_task(self._look_up(key))
            task.add_done_callback(functools.partial(self._lookup_done, key))
            self._lookups[key] = task
        pending = [self._lookups[key] for key in keys if key in self._lookups]
        if pending:
            await asyncio.gather(*pending)

    def _lookup_done(self, key: tuple[str, str], _task: asyncio.Task[None]) -> None:
        self._lookups.pop(key, None)

    async def _look_up(self, key: tuple[str, str]) -> None:
        type_id, resource_id = key
        async with self._lookup_slots:
            resource = await self._get_resource(pb.resource.ResourceId(resource_type=type_id, resource=resource_id))
        report = self.state.report
        if isinstance(resource, NotFetched):
            report.add({f"{completeness.NOT_FOUND}.{type_id}": 1})
            report.unresolved_principal(f"{type_id}:{resource_id}")
            log.warning("sync_principal_not_found", principal=f"{type_id}:{resource_id}")
            return
        self._put_resources([resource], self.types[type_id])
        report.add({f"{completeness.LOOKED_UP}.{type_id}": 1})
        if resource.status.status == pb.resource.Status.RESOURCE_STATUS_DELETED:
            report.add({f"{completeness.GONE}.{type_id}": 1})
            report.unresolved_principal(f"{type_id}:{resource_id}")

    def _materialise_static(self, resource: pb.resource.Resource) -> None:
        made = []
        for template in self.static_templates.get(resource.id.resource_type, []):
            entitlement = pb.entitlement.Entitlement()
            entitlement.CopyFrom(template)
            entitlement.resource.CopyFrom(resource)
            slug = template.slug or template.display_name
            entitlement.id = entitlement_id(resource.id.resource_type, resource.id.resource, slug)
            if not entitlement.description:
                entitlement.description = resource.description
            made.append(entitlement)
        self.store.put_entitlements(made)
        self.progress.entitlements += len(made)

    async def _connector_cleanup(self, sync_id: str) -> None:
        request = pb.connector.ConnectorServiceCleanupRequest(active_sync_id=sync_id)
        try:
            await self.client.connector.Cleanup(request)
        except grpc.aio.AioRpcError as err:
            log.warning("connector_cleanup_failed", error=err.details())
