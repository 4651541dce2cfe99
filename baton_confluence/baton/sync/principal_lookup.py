"""Principal closure: every principal a grant names exists in the sync before the grant is stored.

A principal no listing returned (an app account, a user past a search ceiling, an account deleted
since) is fetched once with GetResource; concurrent pages naming the same principal share the
lookup. Whatever the lookup says, the grant is kept: a principal that cannot be fetched is named
in the completeness report, never dropped silently.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping, Sequence

import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.c1z import SyncStore
from baton_confluence.baton.sync import completeness
from baton_confluence.baton.sync.client import ConnectorClient
from baton_confluence.baton.sync.completeness import CompletenessReport
from baton_confluence.baton.sync.resource_getter import NotFetched, get_resource
from baton_confluence.baton.sync.sweep_steps import PutResources

log = structlog.get_logger("baton.sync")


class PrincipalLookup:
    def __init__(
        self,
        client: ConnectorClient,
        store: SyncStore,
        types: Mapping[str, pb.resource.ResourceType],
        report: CompletenessReport,
        put_resources: PutResources,
        concurrency: int,
    ) -> None:
        self.client = client
        self.store = store
        self.types = types
        self.report = report
        self.put_resources = put_resources
        # lookups in flight, so that concurrent grant pages naming one principal share one
        self._lookups: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(max(1, concurrency))

    async def close(self, grants: Sequence[pb.grant.Grant]) -> None:
        """Make every principal these grants name exist in the sync (see the module docstring)."""
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
        async with self._slots:
            resource = await get_resource(self.client, pb.resource.ResourceId(resource_type=type_id, resource=resource_id))
        report = self.report
        if isinstance(resource, NotFetched):
            report.add({f"{completeness.NOT_FOUND}.{type_id}": 1})
            report.unresolved_principal(f"{type_id}:{resource_id}")
            log.warning("sync_principal_not_found", principal=f"{type_id}:{resource_id}")
            return
        self.put_resources([resource], self.types[type_id])
        report.add({f"{completeness.LOOKED_UP}.{type_id}": 1})
        if resource.status.status == pb.resource.Status.RESOURCE_STATUS_DELETED:
            report.add({f"{completeness.GONE}.{type_id}": 1})
            report.unresolved_principal(f"{type_id}:{resource_id}")
