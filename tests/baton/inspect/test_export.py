"""`inspect export`: one CSV row per (principal, entitlement, route) with the account's details."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from baton_confluence.baton import annotations as annos
from baton_confluence.baton import pb
from baton_confluence.baton.c1z import C1ZReader, SyncStore
from baton_confluence.baton.inspect import AccessView, ResourceRef, export, lookups
from tests.baton.inspect.conftest import SyncedSite
from tests.baton.inspect.handmade import ADA, HAND, Handmade, Trait, entitlement, grant, rtype
from tests.baton.inspect.oracle import DIRECT, Route, routes
from tests.e2e.cli import run_cli
from tests.e2e.expected import expected


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_rows_of_a_hand_made_file(handmade: Handmade) -> None:
    out = io.StringIO()
    with C1ZReader.open(handmade.path, sync_id=handmade.first_sync) as reader:
        assert export.write_csv(AccessView(reader), out) == 10
    rows = rows_of(out.getvalue())
    ada_read = [r for r in rows if r["principal_id"] == "ada" and r["entitlement"] == "read-space"]
    common = {
        "principal_type": "user", "principal_id": "ada", "principal_name": "Ada Lovelace",
        "principal_email": "ada@example.com", "account_type": "human", "status": "enabled",
        "resource_type": "space", "resource_id": "s1", "resource_name": "Handbook", "resource_key": "HAND",
        "entitlement_id": "space:s1:read-space", "entitlement": "read-space", "last_active": "",
    }  # fmt: skip
    assert ada_read == [
        {**common, "how": "direct", "via_type": "", "via_id": "", "via_name": ""},
        {**common, "how": "via", "via_type": "group", "via_id": "eng", "via_name": "Engineers"},
    ]
    bob = [(r["entitlement_id"], r["status"], r["how"], r["via_id"]) for r in rows if r["principal_id"] == "bob"]
    assert sorted(bob) == [
        ("group:eng:member", "disabled", "direct", ""),
        ("space:s1:read-space", "disabled", "via", "eng"),
    ]
    gone = next(r for r in rows if r["principal_id"] == "gone")
    assert (gone["status"], gone["account_type"], gone["resource_name"]) == ("deleted", "", "Ops")


def test_export_of_a_synced_site_matches_the_site(synced_site: SyncedSite, tmp_path: Path) -> None:
    result = run_cli(["inspect", "export", str(synced_site.path), "-o", "access.csv"], tmp_path)
    assert result.returncode == 0, result.stderr
    rows = rows_of((tmp_path / "access.csv").read_text(encoding="utf-8"))
    assert result.stderr.strip() == f"wrote {len(rows):,} rows to access.csv"
    got = {
        Route(
            f"{r['principal_type']}:{r['principal_id']}",
            r["entitlement_id"],
            f"{r['via_type']}:{r['via_id']}" if r["how"] == "via" else DIRECT,
        )
        for r in rows
    }
    assert len(got) == len(rows)  # one row per route, none repeated
    assert got == routes(synced_site.state)
    state, want = synced_site.state, expected(synced_site.state)
    for r in rows:
        if r["principal_type"] == "user":
            status, kind = want.users[r["principal_id"]]
            assert (r["status"], r["account_type"]) == (status, kind or ""), r
            assert r["principal_email"] == state.users[r["principal_id"]].email
        if r["resource_type"] == "space":
            assert r["resource_key"] == state.spaces[int(r["resource_id"])].key


def test_a_failed_export_leaves_the_previous_file(handmade: Handmade, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "access.csv"
    target.write_text("previous\n")
    missing = run_cli(["inspect", "export", str(tmp_path / "missing.c1z"), "-o", str(target)], tmp_path)
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1 and "no such c1z file" in missing.stderr
    bad_sync = run_cli(["inspect", "export", str(handmade.path), "--sync", "nope", "-o", str(target)], tmp_path)
    assert bad_sync.returncode == 1 and "has no sync nope" in bad_sync.stderr
    nowhere = run_cli(["inspect", "export", str(handmade.path), "-o", str(tmp_path / "no" / "x.csv")], tmp_path)
    assert nowhere.stderr == f"error: {tmp_path / 'no'} does not exist; pass -o a file in an existing folder\n"
    assert nowhere.returncode == 2

    def broken(view: AccessView, out: io.TextIOBase) -> int:
        out.write("half a row")
        raise OSError("disk full")

    with C1ZReader.open(handmade.path) as reader, pytest.MonkeyPatch.context() as patch:
        patch.setattr(export, "write_csv", broken)
        with pytest.raises(OSError, match="disk full"):
            export.export(AccessView(reader), str(target))
    assert target.read_text() == "previous\n"
    assert [p.name for p in out_dir.iterdir()] == ["access.csv"]  # no partial file left beside it


def test_a_derived_grant_without_its_source_still_has_a_row(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    read = entitlement(HAND, "read-space")
    orphan = grant(read, ADA)  # expansion made it (immutable) but recorded no source
    orphan.annotations.append(annos.pack(pb.grant_annotations.GrantImmutable()))
    with SyncStore.open(path) as store:
        store.start_or_resume_sync()
        store.put_resource_types([rtype("user", Trait.TRAIT_USER), rtype("space")])
        store.put_resources([ADA, HAND])
        store.put_entitlements([read])
        store.put_grants([orphan])
        store.end_sync()
        store.finalize()
    out = io.StringIO()
    with C1ZReader.open(path) as reader:
        view = AccessView(reader)
        assert export.write_csv(view, out) == 1
        assert (
            lookups.access(view, ResourceRef("user", "ada")).splitlines()[1].endswith("derived (source not recorded)")
        )
    assert [(r["principal_id"], r["entitlement_id"], r["how"]) for r in rows_of(out.getvalue())] == [
        ("ada", "space:s1:read-space", "derived")
    ]


def test_a_reader_that_stops_early_ends_the_export_quietly(synced_site: SyncedSite, tmp_path: Path) -> None:
    """`inspect export -o - | head -1`: no error line, exit 0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "baton_confluence", "inspect", "export", str(synced_site.path), "-o", "-"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().decode().startswith("principal_type,principal_id,")
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0
    assert proc.stderr.read() == b""
