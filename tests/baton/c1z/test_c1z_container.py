"""The c1z container: magic, one zstd frame with size and checksum, and readable refusals."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import zstandard

from baton_confluence.baton.c1z import C1ZError, C1ZReader, SyncStore, container, schema

MAGIC = b"C1ZF\x00"


def make_db(path: Path, rows: int = 2000) -> bytes:
    conn = sqlite3.connect(path)
    schema.ensure_schema(conn)
    conn.executemany(
        "insert into v1_resource_types (external_id, data, sync_id, discovered_at) values (?, ?, 's', 'now')",
        [(f"type{i}", os.urandom(64)) for i in range(rows)],
    )
    conn.commit()
    conn.close()
    return path.read_bytes()


def zstd_frame(data: bytes) -> bytes:
    return zstandard.ZstdCompressor(level=3, write_content_size=True, write_checksum=True).compress(data)


def test_round_trip_single_frame_with_size_and_checksum(tmp_path: Path) -> None:
    db_bytes = make_db(tmp_path / "in.db")
    out = tmp_path / "out.c1z"
    container.write_c1z(tmp_path / "in.db", out)
    raw = out.read_bytes()
    assert raw[:5] == MAGIC
    params = zstandard.get_frame_parameters(raw[5:])
    assert params.content_size == len(db_bytes)
    assert params.has_checksum
    assert params.window_size <= 128 * 1024 * 1024
    # Exactly one frame that ends at EOF: decoding it leaves no bytes behind.
    decoder = zstandard.ZstdDecompressor().decompressobj()
    assert decoder.decompress(raw[5:]) == db_bytes
    assert decoder.eof and decoder.unused_data == b""
    assert not (tmp_path / "out.c1z.tmp").exists()
    container.decompress_c1z(out, tmp_path / "back.db", container.DecodeLimit.env_cap())
    assert (tmp_path / "back.db").read_bytes() == db_bytes


def test_a_file_of_many_compression_jobs_is_still_one_frame(tmp_path: Path) -> None:
    db_bytes = make_db(tmp_path / "in.db", rows=60_000)  # several 1 MiB jobs for the zstd workers
    assert len(db_bytes) > 4 * container.COMPRESSION_JOB_BYTES
    out = tmp_path / "out.c1z"
    container.write_c1z(tmp_path / "in.db", out)
    raw = out.read_bytes()
    assert zstandard.get_frame_parameters(raw[5:]).content_size == len(db_bytes)
    decoder = zstandard.ZstdDecompressor().decompressobj()
    assert decoder.decompress(raw[5:]) == db_bytes
    assert decoder.eof and decoder.unused_data == b""


def test_write_is_atomic_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "out.c1z"
    out.write_bytes(b"previous")
    with pytest.raises(FileNotFoundError):
        container.write_c1z(tmp_path / "missing.db", out)
    assert out.read_bytes() == b"previous"
    assert not (tmp_path / "out.c1z.tmp").exists()


def test_concatenated_frames_are_accepted(tmp_path: Path) -> None:
    db_bytes = make_db(tmp_path / "in.db")
    half = len(db_bytes) // 2
    path = tmp_path / "multi.c1z"
    path.write_bytes(MAGIC + zstd_frame(db_bytes[:half]) + zstd_frame(db_bytes[half:]))
    container.decompress_c1z(path, tmp_path / "back.db", container.DecodeLimit.env_cap())
    assert (tmp_path / "back.db").read_bytes() == db_bytes


def expect_refusal(path: Path, *fragments: str) -> str:
    with pytest.raises(C1ZError) as info:
        C1ZReader.open(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    for fragment in fragments:
        assert fragment in message
    return message


def test_refuses_pebble_file(tmp_path: Path) -> None:
    path = tmp_path / "pebble.c1z"
    path.write_bytes(b"C1Z3\x00" + b"\x00\x00\x00\x10" + os.urandom(64))
    expect_refusal(path, "Pebble (v3)", "--storage-engine sqlite")


def test_refuses_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "random.c1z"
    path.write_bytes(os.urandom(4096))
    expect_refusal(path, "is not a c1z file")


def test_refuses_garbage_after_magic(tmp_path: Path) -> None:
    path = tmp_path / "garbage.c1z"
    path.write_bytes(MAGIC + os.urandom(4096))
    expect_refusal(path, "not a zstd stream")


def test_refuses_truncated_zstd(tmp_path: Path) -> None:
    frame = zstd_frame(make_db(tmp_path / "in.db"))
    path = tmp_path / "cut.c1z"
    path.write_bytes(MAGIC + frame[: len(frame) * 2 // 3])
    expect_refusal(path, "truncated")


def test_refuses_bad_checksum(tmp_path: Path) -> None:
    frame = bytearray(zstd_frame(make_db(tmp_path / "in.db")))
    frame[-1] ^= 0xFF
    path = tmp_path / "bad.c1z"
    path.write_bytes(MAGIC + bytes(frame))
    expect_refusal(path, "corrupt")


def test_refuses_zstd_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "text.c1z"
    path.write_bytes(MAGIC + zstd_frame(b"hello, this is not a database\n" * 1000))
    expect_refusal(path, "not a SQLite database")


def test_refuses_sqlite_without_baton_tables(tmp_path: Path) -> None:
    db_path = tmp_path / "other.db"
    conn = sqlite3.connect(db_path)
    conn.execute("create table t (x)")
    conn.commit()
    conn.close()
    path = tmp_path / "other.c1z"
    path.write_bytes(MAGIC + zstd_frame(db_path.read_bytes()))
    expect_refusal(path, "without Baton v1_ tables")


def test_refuses_empty_payload_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.c1z"
    path.write_bytes(MAGIC)
    expect_refusal(path, "no data")
    expect_refusal(tmp_path / "nope.c1z", "no such c1z file")


def test_decoded_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.c1z"
    big.write_bytes(MAGIC + zstd_frame(b"\0" * (3 * 1024 * 1024 + 1)))
    monkeypatch.setenv("BATON_DECODER_MAX_DECODED_SIZE_MB", "1")
    # 3 MiB and one byte: 4 MiB rounded up, 3 MiB over the 1 MiB cap, and the value that reads it.
    expect_refusal(big, "decodes to 4 MiB, 3 MiB more than the 1 MiB", "BATON_DECODER_MAX_DECODED_SIZE_MB=4 or more")
    monkeypatch.setenv("BATON_DECODER_MAX_DECODED_SIZE_MB", "4")
    with pytest.raises(C1ZError, match="not a SQLite database"):
        C1ZReader.open(big)
    monkeypatch.setenv("BATON_DECODER_MAX_DECODED_SIZE_MB", "1")
    # Without a declared size the limit is enforced while decoding.
    streamed = tmp_path / "streamed.c1z"
    streamed.write_bytes(MAGIC + zstandard.ZstdCompressor(write_content_size=False).compress(b"\0" * 3 * 2**20))
    expect_refusal(streamed, "more than the 1 MiB", "raise BATON_DECODER_MAX_DECODED_SIZE_MB above 1")


def test_sync_target_is_bounded_by_free_disk_not_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer decodes its own target within the free space of the work db's directory."""
    payload = make_db(tmp_path / "in.db", rows=20000)
    path = tmp_path / "sync.c1z"
    path.write_bytes(MAGIC + zstd_frame(payload))
    monkeypatch.setenv("BATON_DECODER_MAX_DECODED_SIZE_MB", "1")
    assert len(payload) > 1024 * 1024
    SyncStore.open(path).close()  # over the readers' cap, well within the disk
    (tmp_path / "sync.c1z.work.db").unlink()
    (tmp_path / "sync.c1z.work.db.seed").unlink()

    free = len(payload) - 3 * 1024 * 1024 // 2  # 1.5 MiB short of what the file needs

    class Usage:
        def __init__(self, directory: Path) -> None:
            assert Path(directory) == tmp_path
            self.free = free

    monkeypatch.setattr(container.shutil, "disk_usage", Usage)
    before = path.read_bytes()
    with pytest.raises(C1ZError) as info:
        SyncStore.open(path)
    message = str(info.value)
    assert f"only {free // 2**20} MiB are free in {tmp_path}" in message
    assert "free 2 MiB there" in message  # 1.5 MiB short, rounded up
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.db", "sync.c1z"]


def test_store_refuses_corrupt_existing_file_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    frame = zstd_frame(make_db(tmp_path / "in.db"))
    damaged = MAGIC + frame[:100]
    path.write_bytes(damaged)
    with pytest.raises(C1ZError, match="truncated"):
        SyncStore.open(path)
    assert path.read_bytes() == damaged
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.db", "sync.c1z"]
    path.write_bytes(b"C1Z3\x00rest")
    with pytest.raises(C1ZError, match="Pebble"):
        SyncStore.open(path)
