"""Throughput smoke test: 200k grants through put_grants (run with -s to see rows/s; not a timed assertion)."""

from __future__ import annotations

import time
from pathlib import Path

from c1z_helpers import entitlement, grant, resource

from baton_confluence.baton import pb
from baton_confluence.baton.c1z import SyncStore

N = 200_000
PAGE = 1000  # grants per put_grants call, like one page from a connector


def make_grants() -> list[pb.grant.Grant]:
    """Grants parsed from wire bytes, as the sync engine receives them from a connector."""
    templates = []
    for space in range(50):
        ent = entitlement(resource("space", f"{space:05d}", f"Space {space}"), "read-space")
        plain = grant(ent, resource("user", "557058:PRINCIPAL")).SerializeToString()
        expandable = grant(ent, resource("group", "PRINCIPAL"), expand=["group:PRINCIPAL:member"])
        templates.append((plain, expandable.SerializeToString()))
    out = []
    for i in range(N):
        plain, expandable = templates[i % len(templates)]
        template = expandable if i % 100 == 0 else plain  # 1% carry GrantExpandable
        out.append(pb.grant.Grant.FromString(template.replace(b"PRINCIPAL", b"%09d" % i)))
    return out


def test_put_200k_grants(tmp_path: Path) -> None:
    grants = make_grants()
    with SyncStore.open(tmp_path / "sync.c1z") as store:
        store.start_or_resume_sync()
        start = time.perf_counter()
        for i in range(0, N, PAGE):
            store.put_grants(grants[i : i + PAGE])
        store.checkpoint("done")
        put_seconds = time.perf_counter() - start
        start = time.perf_counter()
        stats = store.end_sync()
        end_seconds = time.perf_counter() - start
        assert stats.grants == N
        assert sum(1 for _ in store.iter_expandable_grants()) == N // 100
    print(
        f"\nput_grants: {N} rows in {put_seconds:.2f}s = {N / put_seconds:,.0f} rows/s; "
        f"end_sync (index build + stats): {end_seconds:.2f}s; "
        f"overall {N / (put_seconds + end_seconds):,.0f} rows/s"
    )
