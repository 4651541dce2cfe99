"""Grant and revoke tasks: one GrantManagerService call on a served connector, then FinishTask.

The call goes through the same gRPC servicer as any other client's, so the provisioning switch
("provisioning is not enabled" → FailedPrecondition) and the error mapping are the same too.
Failures are reported as non-retryable: repeating a grant or revoke that the connector refused
is not safe to do blindly, so ConductorOne decides what happens next.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.runner.local_sync import served
from baton_confluence.baton.service.finish import error_status, finish_error, finish_success, status_of
from baton_confluence.baton.service.task_env import TaskEnv
from baton_confluence.baton.sync.client import ConnectorClient

log = structlog.get_logger("baton.service")

R = TypeVar("R", pb.grant.GrantManagerServiceGrantResponse, pb.grant.GrantManagerServiceRevokeResponse)


async def run_grant_task(env: TaskEnv, task: pb.baton.Task) -> None:
    grant = task.grant
    if not (grant.HasField("entitlement") and grant.HasField("principal")):
        await _malformed(env, task.id, "grant task needs an entitlement and a principal")
        return
    request = pb.grant.GrantManagerServiceGrantRequest(entitlement=grant.entitlement, principal=grant.principal)
    await _provision(env, task.id, "grant", lambda client: client.grant_manager.Grant(request))


async def run_revoke_task(env: TaskEnv, task: pb.baton.Task) -> None:
    grant = task.revoke.grant
    if not (task.revoke.HasField("grant") and grant.HasField("entitlement") and grant.HasField("principal")):
        await _malformed(env, task.id, "revoke task needs a grant with its entitlement and principal")
        return
    request = pb.grant.GrantManagerServiceRevokeRequest(grant=grant)
    await _provision(env, task.id, "revoke", lambda client: client.grant_manager.Revoke(request))


async def _malformed(env: TaskEnv, task_id: str, reason: str) -> None:
    log.error("malformed_task", task_id=task_id, reason=reason)
    status = error_status(grpc.StatusCode.INVALID_ARGUMENT, f"malformed task: {reason}")
    await finish_error(env.platform, task_id, status, non_retryable=True)


async def _provision(env: TaskEnv, task_id: str, action: str, call: Callable[[ConnectorClient], Awaitable[R]]) -> None:
    try:
        response = await _on_served_connector(env, call)
    except grpc.aio.AioRpcError as err:
        log.error(f"{action}_failed", task_id=task_id, code=err.code().name, error=err.details())
        await finish_error(env.platform, task_id, status_of(err), non_retryable=True)
        return
    log.info(f"{action}_done", task_id=task_id)
    await finish_success(env.platform, task_id, response, response.annotations)


async def _on_served_connector(env: TaskEnv, call: Callable[[ConnectorClient], Awaitable[R]]) -> R:
    connector = env.connector_factory()
    try:
        async with served(connector, provisioning=env.config.provisioning) as client:
            return await call(client)
    finally:
        await connector.close()
