"""Uploading a sync's c1z to ConductorOne: metadata, 512 KiB data chunks, then EOF with the
file's SHA-256, over one UploadAsset stream; retried a few times."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.service.config import PlatformError
from baton_confluence.baton.service.platform import PlatformClient

log = structlog.get_logger("baton.service")


CHUNK_BYTES = 512 * 1024
MAX_ATTEMPTS = 3

Upload = pb.baton.BatonServiceUploadAssetRequest


def file_sha256(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.digest()


async def upload_messages(path: Path, host_id: str, task_id: str, checksum: bytes) -> AsyncIterator[Upload]:
    yield Upload(metadata=Upload.UploadMetadata(host_id=host_id, task_id=task_id))
    with path.open("rb") as f:
        # Read lazily so a large c1z is never held in memory whole.
        while chunk := await asyncio.to_thread(f.read, CHUNK_BYTES):
            yield Upload(data=Upload.UploadData(data=chunk))
    yield Upload(eof=Upload.UploadEOF(sha256_checksum=checksum))


async def upload_c1z(platform: PlatformClient, task_id: str, path: Path) -> None:
    """Up to three attempts, waiting 0 s then 1 s between them; the last error is raised."""
    checksum = await asyncio.to_thread(file_sha256, path)
    size = path.stat().st_size
    for attempt in range(MAX_ATTEMPTS):
        try:
            await platform.upload_asset(upload_messages(path, platform.host_id, task_id, checksum))
        except PlatformError as err:
            if attempt == MAX_ATTEMPTS - 1:
                raise
            log.warning("upload_failed", task_id=task_id, attempt=attempt + 1, error=err.message)
            await asyncio.sleep(attempt)
            continue
        log.info("uploaded_c1z", task_id=task_id, bytes=size, sha256=checksum.hex())
        return
