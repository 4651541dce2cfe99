"""Task routing and the poll loop: unknown and hello tasks, empty polls, the concurrency limit."""

from __future__ import annotations

import asyncio

import grpc

from baton_confluence.baton import pb
from tests.service.conftest import Platform
from tests.service.connectors import Calls, library_factory
from tests.service.fake_baton import eventually
from tests.service.tasks_util import grant_task, sync_task

Task = pb.baton.Task
# Field 105 (create_account) is newer than what this connector does: tag (105 << 3) | 2, then length 0.
CREATE_ACCOUNT_FIELD = b"\xca\x06\x00"


def unknown_task(task_id: str) -> Task:
    task = Task.FromString(Task(id=task_id).SerializeToString() + CREATE_ACCOUNT_FIELD)
    assert task.WhichOneof("task_type") is None and task.SerializeToString().endswith(CREATE_ACCOUNT_FIELD)
    return task


def test_unknown_task_type_is_finished_as_unsupported(platform: Platform) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            running.service.queue.append(unknown_task("acct-1"))
            await eventually(lambda: "acct-1" in running.service.seen.finished, what="FinishTask")
        done = running.service.seen.finished["acct-1"]
        assert done.WhichOneof("final_state") == "error" and done.error.non_retryable
        assert done.status.code == grpc.StatusCode.UNIMPLEMENTED.value[0]
        assert done.status.message == "unsupported task type"
        assert await running.outcome() is None

    asyncio.run(scenario())


def test_hello_task_sends_hello_with_its_id_and_no_finish(platform: Platform) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            running.service.queue.append(Task(id="hello-1", hello=Task.HelloTask()))
            await eventually(lambda: len(running.service.seen.hellos) == 2, what="the second Hello")
            polls = running.service.seen.polls
            await eventually(lambda: running.service.seen.polls > polls + 2, what="more polls")
        assert [h.task_id for h in running.service.seen.hellos] == ["", "hello-1"]
        assert running.service.seen.hellos[1].connector_metadata.display_name == "Library"
        assert running.service.seen.finished == {}

    asyncio.run(scenario())


def test_none_tasks_and_empty_polls_do_nothing(platform: Platform) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            running.service.queue.extend([Task(none=Task.NoneTask()), Task()])
            await eventually(lambda: running.service.seen.polls >= 4, what="polls")
        assert running.service.seen.finished == {} and running.service.seen.heartbeats == {}

    asyncio.run(scenario())


def finish_order(platform: Platform, concurrency: int) -> list[str]:
    """A slow sync queued before a quick grant; the order in which they finish."""

    async def scenario() -> list[str]:
        factory = library_factory(Calls(), validate_delay=0.5)
        async with platform.serving(factory, task_concurrency=concurrency, provisioning=True) as running:
            running.service.queue.extend([sync_task("slow-sync"), grant_task("quick-grant", "u5")])
            await eventually(lambda: len(running.service.seen.finished) == 2, what="both tasks")
        return list(running.service.seen.finished)

    return asyncio.run(scenario())


def test_task_concurrency_limits_tasks_in_flight(platform: Platform) -> None:
    assert finish_order(platform, concurrency=1) == ["slow-sync", "quick-grant"]
    assert finish_order(platform, concurrency=2) == ["quick-grant", "slow-sync"]


def test_get_task_has_no_deadline_and_finish_task_has_thirty_seconds(platform: Platform) -> None:
    """As upstream: a poll may be held open by the platform; FinishTask gives up after 30 s."""

    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            running.service.queue.append(grant_task("grant-deadline", "u5"))
            await eventually(lambda: "grant-deadline" in running.service.seen.finished, what="FinishTask")
        deadlines = running.service.seen.deadlines
        assert deadlines["GetTask"] and all(d is None for d in deadlines["GetTask"])
        (finish,) = deadlines["FinishTask"]
        assert finish is not None and 20 < finish < 31  # the two clocks differ by a little

    asyncio.run(scenario())
