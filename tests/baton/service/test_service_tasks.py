"""Task routing and the poll loop: unknown and hello tasks, empty polls, the concurrency limit."""

from __future__ import annotations

import asyncio

import grpc

from baton_confluence.baton import pb
from tests.baton.service.conftest import Platform
from tests.baton.service.connectors import Calls, ValidateGate, library_factory
from tests.baton.service.fake_baton import eventually
from tests.baton.service.tasks_util import grant_task, sync_task

Task = pb.baton.Task
# Field 199 is a task type newer than any proto here: tag (199 << 3) | 2 as a varint, then length 0.
FUTURE_TASK_FIELD = b"\xba\x0c\x00"


def future_task(task_id: str) -> Task:
    task = Task.FromString(Task(id=task_id).SerializeToString() + FUTURE_TASK_FIELD)
    assert task.WhichOneof("task_type") is None and task.SerializeToString().endswith(FUTURE_TASK_FIELD)
    return task


UNSUPPORTED_TASKS = {
    "event-feed": Task(id="event-feed", event_feed=Task.EventFeedTask()),
    "sync-diff": Task(id="sync-diff", create_sync_diff=Task.CreateSyncDiffTask(base_sync_id="a", new_sync_id="b")),
    "compact": Task(id="compact", compact_syncs=Task.CompactSyncs()),
    "future": future_task("future"),
}


def test_unsupported_task_types_are_finished_as_retryable_unknown(platform: Platform) -> None:
    """Upstream finishes them with a plain error: code Unknown, non_retryable false (docs/protocol.md §4.3)."""

    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            running.service.queue.extend(UNSUPPORTED_TASKS.values())
            await eventually(lambda: len(running.service.seen.finished) == len(UNSUPPORTED_TASKS), what="FinishTask")
        assert sorted(f.task_id for f in running.service.seen.finish_calls) == sorted(UNSUPPORTED_TASKS)
        for task_id in UNSUPPORTED_TASKS:
            done = running.service.seen.finished[task_id]
            assert done.WhichOneof("final_state") == "error", task_id
            assert not done.error.non_retryable, task_id
            assert (done.status.code, done.status.message) == (grpc.StatusCode.UNKNOWN.value[0], "unsupported task type")
        assert await running.outcome() is None

    asyncio.run(scenario())


def test_list_event_feeds_is_answered_with_an_empty_list(platform: Platform) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            running.service.queue.append(Task(id="feeds-1", list_event_feeds=Task.ListEventFeedsTask()))
            await eventually(lambda: "feeds-1" in running.service.seen.finished, what="FinishTask")
        assert [f.task_id for f in running.service.seen.finish_calls] == ["feeds-1"]
        done = running.service.seen.finished["feeds-1"]
        assert done.WhichOneof("final_state") == "success" and not done.HasField("status")
        assert list(done.success.annotations) == []
        response = done.success.response
        assert response.type_url == "type.googleapis.com/c1.connector.v2.ListEventFeedsResponse"
        feeds = pb.event_feed.ListEventFeedsResponse()
        assert response.Unpack(feeds) and list(feeds.list) == [] and response.value == b""

    asyncio.run(scenario())


def test_list_events_reports_the_feed_as_not_found(platform: Platform) -> None:
    async def scenario() -> None:
        async with platform.serving(library_factory(Calls())) as running:
            running.service.queue.append(Task(id="events-1", list_events=Task.ListEventsTask()))
            await eventually(lambda: "events-1" in running.service.seen.finished, what="FinishTask")
        done = running.service.seen.finished["events-1"]
        assert done.WhichOneof("final_state") == "error" and not done.error.non_retryable
        assert done.status.code == grpc.StatusCode.NOT_FOUND.value[0]
        assert done.status.message == "error: event feed id baton_feed_event not found"

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
    """A sync held in Validate, queued before a quick grant; the order in which they finish.

    With one task at a time the grant waits in the queue while the sync is held, so the sync is
    let go as soon as it is held; with two, the grant runs beside it, and the sync is let go
    once the grant has finished."""

    async def scenario() -> list[str]:
        gate = ValidateGate()
        factory = library_factory(Calls(), validate_gate=gate)
        async with platform.serving(factory, task_concurrency=concurrency, provisioning=True) as running:
            running.service.queue.extend([sync_task("slow-sync"), grant_task("quick-grant", "u5")])
            await asyncio.wait_for(gate.entered.wait(), timeout=10)
            if concurrency == 1:
                assert len(running.service.queue) == 1, "the grant was claimed while the only slot was taken"
            else:
                await eventually(lambda: "quick-grant" in running.service.seen.finished, what="the grant")
            gate.opened.set()
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
