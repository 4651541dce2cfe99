"""Tasks as ConductorOne would send them, and ways to read what the service sent back."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import zstandard

from baton_confluence.baton import pb
from baton_confluence.baton.ids import entitlement_id
from tests.baton.service.fake_baton import FakeBatonService, eventually

Task = pb.baton.Task
MEMBER = entitlement_id("team", "t1", "member")


def team_member_entitlement() -> pb.entitlement.Entitlement:
    team = pb.resource.Resource(id=pb.resource.ResourceId(resource_type="team", resource="t1"))
    return pb.entitlement.Entitlement(id=MEMBER, resource=team, slug="member")


def user(user_id: str) -> pb.resource.Resource:
    return pb.resource.Resource(id=pb.resource.ResourceId(resource_type="user", resource=user_id))


def grant_task(task_id: str, principal: str) -> Task:
    return Task(id=task_id, grant=Task.GrantTask(entitlement=team_member_entitlement(), principal=user(principal)))


def revoke_task(task_id: str) -> Task:
    grant = pb.grant.Grant(id=f"{MEMBER}:user:u4", entitlement=team_member_entitlement(), principal=user("u4"))
    return Task(id=task_id, revoke=Task.RevokeTask(grant=grant))


def sync_task(task_id: str, **options: Any) -> Task:
    return Task(id=task_id, sync_full=Task.SyncFullTask(**options))


def open_c1z(data: bytes, where: Path) -> sqlite3.Connection:
    """The SQLite database inside a v1 c1z, decoded independently of the project's reader."""
    assert data[:5] == b"C1ZF\x00"
    db = zstandard.ZstdDecompressor().decompressobj().decompress(data[5:])
    assert db.startswith(b"SQLite format 3\x00")
    path = where / "uploaded.db"
    path.write_bytes(db)
    return sqlite3.connect(path)


def type_counts(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute("select resource_type_id, count(*) from v1_resources group by resource_type_id")
    return dict(rows.fetchall())


async def finished(
    service: FakeBatonService, task_id: str, timeout: float = 10.0
) -> pb.baton.BatonServiceFinishTaskRequest:
    await eventually(lambda: task_id in service.seen.finished, timeout, f"FinishTask for {task_id}")
    return service.seen.finished[task_id]
