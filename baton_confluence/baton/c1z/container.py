"""The v1 c1z container: `C1ZF\\0` followed by one zstd frame of a SQLite file (docs/protocol.md §1.2).

Writing goes to `<out>.tmp` and is renamed over `<out>` only once it is complete and on
disk, so a crash never leaves a half-written c1z behind. Reading checks the magic bytes,
bounds the decoded size (see `DecodeLimit`) and insists that the zstd stream really ends: python-zstandard's stream reader silently
returns a short result for a truncated frame, so the incremental decompressor's `eof`
flag is what tells a complete file from a cut-off one.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import BinaryIO

import zstandard

from baton_confluence.baton.c1z.errors import C1ZError
from baton_confluence.baton.c1z.freelist import blank_free_pages, free_leaf_pages

MAGIC_V1 = b"C1ZF\x00"
MAGIC_V3 = b"C1Z3\x00"
MAGIC_LEN = 5

SQLITE_HEADER = b"SQLite format 3\x00"

MAX_DECODED_ENV = "BATON_DECODER_MAX_DECODED_SIZE_MB"
MAX_MEMORY_ENV = "BATON_DECODER_MAX_MEMORY_MB"
DISABLE_FCS_FAIL_FAST_ENV = "BATON_DISABLE_FCS_FAIL_FAST"
DEFAULT_MAX_DECODED_MB = 10 * 1024
DEFAULT_MAX_MEMORY_MB = 128

# Level 1 matches the SpeedFastest the Go SDK uses on its plain write path. Two workers with 1 MiB
# jobs halve its time for a few MiB of buffers; the output is still one frame with its size. A
# 4 MiB window (level 1 alone uses 512 KiB) finds repeats between grant rows further apart: 4%
# smaller for no more time or memory; 16 MiB would take 5% more but add 5 MiB to the sync's peak
# memory, and higher levels and long-distance matching cost more time than the smaller file saves
# (figures in docs/protocol.md §1.2). Readers hold the window while decoding: 4 MiB.
COMPRESSION_LEVEL = 1
COMPRESSION_WINDOW_LOG = 22
COMPRESSION_JOB_BYTES = 1 << 20
_COPY_CHUNK = 1 << 20
# Small input chunks bound how much one decompress() call can return, which keeps a
# highly compressible (or malicious) frame from ballooning memory before the size check.
_DECODE_CHUNK = 4096

PEBBLE_MESSAGE = (
    "is a Pebble (v3) c1z; this tool reads v1 (SQLite) files; re-run the Go sync with --storage-engine sqlite"
)


def write_c1z(db_path: Path, out_path: Path) -> None:
    """Compress the SQLite file `db_path` into the c1z `out_path`, atomically."""
    tmp_path = out_path.with_name(out_path.name + ".tmp")
    try:
        _write_tmp(db_path, tmp_path)
        os.replace(tmp_path, out_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise
    fsync_dir(out_path.parent)


def _write_tmp(db_path: Path, tmp_path: Path) -> None:
    size = db_path.stat().st_size
    params = zstandard.ZstdCompressionParameters.from_level(
        COMPRESSION_LEVEL,
        window_log=COMPRESSION_WINDOW_LOG,
        threads=2 if (os.cpu_count() or 1) > 1 else 0,
        job_size=COMPRESSION_JOB_BYTES,
        write_content_size=True,
        write_checksum=True,
    )
    compressor = zstandard.ZstdCompressor(compression_params=params)
    page_size, free = free_leaf_pages(db_path)
    with db_path.open("rb") as src, tmp_path.open("wb") as dst:
        dst.write(MAGIC_V1)
        # `size=` puts Frame_Content_Size in the header, as Go does, so readers can
        # check the decoded size before decompressing anything.
        with compressor.stream_writer(dst, size=size, closefd=False) as writer:
            # Free pages go out as zeros (c1z/freelist.py); the chunk is a whole number of pages.
            offset = 0
            while chunk := src.read(_COPY_CHUNK):
                writer.write(blank_free_pages(chunk, offset, page_size, free))
                offset += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())


def fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not every platform/filesystem allows it.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_magic(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(MAGIC_LEN)


def check_magic(path: Path, magic: bytes) -> None:
    """Raise C1ZError unless `magic` is the v1 header."""
    if magic == MAGIC_V1:
        return
    if magic == MAGIC_V3:
        raise C1ZError(f"{path}: {PEBBLE_MESSAGE}")
    raise C1ZError(
        f"{path}: is not a c1z file (unknown header {magic[:MAGIC_LEN]!r}); pass the .c1z file written by a Baton sync"
    )


_MIB = 1024 * 1024


class LimitBasis(Enum):
    """Where a decode limit comes from, which decides what a user can do about a refusal."""

    ENV_CAP = "env-cap"
    FREE_DISK = "free-disk"


@dataclass(frozen=True)
class DecodeLimit:
    """How many bytes a c1z may decode to, and why.

    The decoded size is bounded because decoding a small file can write a huge one (a
    decompression bomb, or a damaged size); the memory side is bounded by the zstd window.
    Readers of a file given to them (`inspect`, provisioning) cap it at
    BATON_DECODER_MAX_DECODED_SIZE_MB, as the Go SDK does (docs/protocol.md §1.2). A sync
    decoding its own target file (the one it will replace, usually one it wrote) is bounded only
    by the free space where its work database goes: a fixed cap there would make the next sync
    of a big site fail on the file the previous sync wrote.
    """

    max_bytes: int
    basis: LimitBasis
    directory: Path | None = None

    @classmethod
    def env_cap(cls) -> DecodeLimit:
        return cls(_env_mb(MAX_DECODED_ENV, DEFAULT_MAX_DECODED_MB) * _MIB, LimitBasis.ENV_CAP)

    @classmethod
    def free_disk(cls, directory: Path) -> DecodeLimit:
        return cls(shutil.disk_usage(directory).free, LimitBasis.FREE_DISK, directory)

    def allows(self, decoded_bytes: int) -> bool:
        return decoded_bytes <= self.max_bytes

    def refusal(self, path: Path, decoded_bytes: int | None) -> C1ZError:
        """The one line for a file over this limit; `decoded_bytes` None when the frame hides it."""
        limit_mib = self.max_bytes // _MIB
        if self.basis is LimitBasis.FREE_DISK:
            size = (
                f"decodes to {_mib(decoded_bytes)} MiB"
                if decoded_bytes is not None
                else "decodes to more than the free space (its frame does not declare its size)"
            )
            more = f"{_mib(decoded_bytes - self.max_bytes)} MiB" if decoded_bytes is not None else "space"
            return C1ZError(
                f"{path}: {size} but only {limit_mib} MiB are free in {self.directory}, where the sync's "
                f"work database goes; free {more} there or sync into a file on a bigger disk"
            )
        if decoded_bytes is None:
            return C1ZError(
                f"{path}: decodes to more than the {limit_mib} MiB that {MAX_DECODED_ENV} allows (its frame "
                f"does not declare its size); raise {MAX_DECODED_ENV} above {limit_mib} to read it"
            )
        return C1ZError(
            f"{path}: decodes to {_mib(decoded_bytes)} MiB, {_mib(decoded_bytes - self.max_bytes)} MiB more than "
            f"the {limit_mib} MiB that {MAX_DECODED_ENV} allows; set {MAX_DECODED_ENV}={_mib(decoded_bytes)} "
            "or more to read it"
        )


def _mib(size: int) -> int:
    """Rounded up, so a value shown as enough is enough."""
    return math.ceil(size / _MIB)


def reader_refusal(c1z_path: Path) -> C1ZError | None:
    """What readers capped by BATON_DECODER_MAX_DECODED_SIZE_MB (ours and Go's) would say of this
    file, judged by the size its frame declares; None when they would read it."""
    with c1z_path.open("rb") as fh:
        fh.read(MAGIC_LEN)
        try:
            declared = zstandard.get_frame_parameters(fh.read(_DECODE_CHUNK)).content_size
        except zstandard.ZstdError:
            return None
    limit = DecodeLimit.env_cap()
    if declared == zstandard.CONTENTSIZE_UNKNOWN or limit.allows(declared):
        return None
    return limit.refusal(c1z_path, declared)


def decompress_c1z(c1z_path: Path, db_path: Path, limit: DecodeLimit) -> None:
    """Decode the c1z `c1z_path` into a new SQLite file `db_path` (fsynced), within `limit`.

    On any failure `db_path` is removed and C1ZError raised; `c1z_path` is never modified.
    """
    try:
        with c1z_path.open("rb") as src, db_path.open("wb") as dst:
            check_magic(c1z_path, src.read(MAGIC_LEN))
            _decode_stream(c1z_path, src, dst, limit)
            dst.flush()
            os.fsync(dst.fileno())
        check_sqlite_header(c1z_path, db_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            db_path.unlink()
        raise


def _max_window_bytes() -> int:
    return _env_mb(MAX_MEMORY_ENV, DEFAULT_MAX_MEMORY_MB) * _MIB


def _env_mb(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def _decode_stream(path: Path, src: BinaryIO, dst: BinaryIO, limit: DecodeLimit) -> None:
    chunk = src.read(_DECODE_CHUNK)
    if not chunk:
        raise C1ZError(f"{path}: c1z has no data after its header; the file is damaged, re-run the sync")
    _check_declared_size(path, chunk, limit)
    decoder = _new_decoder()
    written = 0
    while chunk:
        if decoder.eof:
            # Go's decoder reads concatenated frames; so do we, to accept whatever it accepts.
            decoder = _new_decoder()
        written += _feed(path, decoder, chunk, dst)
        if not limit.allows(written):
            raise limit.refusal(path, None)
        chunk = decoder.unused_data if decoder.eof else b""
        chunk = chunk or src.read(_DECODE_CHUNK)
    if not decoder.eof:
        raise C1ZError(
            f"{path}: c1z data is truncated (the zstd frame does not end); "
            "the file is damaged or still being written, re-run the sync"
        )


def _new_decoder() -> zstandard.ZstdDecompressionObj:
    return zstandard.ZstdDecompressor(max_window_size=_max_window_bytes()).decompressobj()


def _feed(path: Path, decoder: zstandard.ZstdDecompressionObj, data: bytes, dst: BinaryIO) -> int:
    try:
        out = decoder.decompress(data)
    except zstandard.ZstdError as exc:
        raise C1ZError(
            f"{path}: c1z data is corrupt ({exc}); the file is damaged, re-run the sync "
            f"(or raise {MAX_MEMORY_ENV} if the message mentions the window size)"
        ) from None
    dst.write(out)
    return len(out)


def _check_declared_size(path: Path, head: bytes, limit: DecodeLimit) -> None:
    """Fail fast on a frame header that declares more than the limit, like Go does."""
    if os.environ.get(DISABLE_FCS_FAIL_FAST_ENV, "") in ("1", "true", "TRUE", "True"):
        return
    try:
        params = zstandard.get_frame_parameters(head)
    except zstandard.ZstdError:
        raise C1ZError(f"{path}: c1z data is not a zstd stream; the file is damaged, re-run the sync") from None
    declared = params.content_size
    if declared != zstandard.CONTENTSIZE_UNKNOWN and not limit.allows(declared):
        raise limit.refusal(path, declared)


def check_sqlite_header(c1z_path: Path, db_path: Path) -> None:
    with db_path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise C1ZError(
            f"{c1z_path}: c1z payload is not a SQLite database; the file is damaged or was not written by a Baton sync"
        )
