"""Grant and revoke tasks through the served connector's GrantManagerService."""

from __future__ import annotations

import asyncio

import grpc

from baton_confluence.baton import pb
from tests.baton.service.conftest import Platform
from tests.baton.service.connectors import REFUSED_PRINCIPAL, Calls, library_factory
from tests.baton.service.fake_baton import eventually
from tests.baton.service.tasks_util import MEMBER, Task, grant_task, revoke_task, team_member_entitlement


async def run_tasks(
    platform: Platform, calls: Calls, tasks: list[Task], *, provisioning: bool
) -> dict[str, pb.baton.BatonServiceFinishTaskRequest]:
    async with platform.serving(library_factory(calls), provisioning=provisioning) as running:
        running.service.queue.extend(tasks)
        ids = [t.id for t in tasks]
        await eventually(lambda: all(i in running.service.seen.finished for i in ids), what=f"FinishTask for {ids}")
    assert await running.outcome() is None
    return running.service.seen.finished


def test_grant_task_calls_the_connector_and_returns_its_response(platform: Platform) -> None:
    calls = Calls()
    done = asyncio.run(run_tasks(platform, calls, [grant_task("grant-1", "u5")], provisioning=True))["grant-1"]
    assert calls.grants == [(MEMBER, "u5")]
    assert done.WhichOneof("final_state") == "success"
    response = pb.grant.GrantManagerServiceGrantResponse()
    assert done.success.response.Unpack(response)
    assert [g.principal.id.resource for g in response.grants] == ["u5"]
    assert list(done.success.annotations) == list(response.annotations) and len(response.annotations) == 1
    assert calls.closed == calls.built


def test_revoke_task_calls_the_connector(platform: Platform) -> None:
    calls = Calls()
    done = asyncio.run(run_tasks(platform, calls, [revoke_task("revoke-1")], provisioning=True))["revoke-1"]
    assert calls.revokes == [f"{MEMBER}:user:u4"]
    assert done.WhichOneof("final_state") == "success"
    assert done.success.response.Is(pb.grant.GrantManagerServiceRevokeResponse.DESCRIPTOR)


def test_without_provisioning_grants_fail_with_failed_precondition(platform: Platform) -> None:
    calls = Calls()
    finished = asyncio.run(
        run_tasks(platform, calls, [grant_task("grant-2", "u5"), revoke_task("revoke-2")], provisioning=False)
    )
    assert calls.grants == [] and calls.revokes == []
    for task_id in ("grant-2", "revoke-2"):
        done = finished[task_id]
        assert done.WhichOneof("final_state") == "error" and done.error.non_retryable
        assert done.status.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
        assert "provisioning is not enabled" in done.status.message


def test_connector_refusal_is_reported_as_non_retryable(platform: Platform) -> None:
    done = asyncio.run(run_tasks(platform, Calls(), [grant_task("grant-3", REFUSED_PRINCIPAL)], provisioning=True))
    refused = done["grant-3"]
    assert refused.error.non_retryable
    assert refused.status.code == grpc.StatusCode.PERMISSION_DENIED.value[0]
    assert refused.status.message == "the site refused the grant"


def test_malformed_grant_task_is_rejected_without_calling_the_connector(platform: Platform) -> None:
    calls = Calls()
    task = Task(id="grant-4", grant=Task.GrantTask(entitlement=team_member_entitlement()))
    done = asyncio.run(run_tasks(platform, calls, [task], provisioning=True))["grant-4"]
    assert calls.grants == [] and done.error.non_retryable
    assert done.status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert "needs an entitlement and a principal" in done.status.message
