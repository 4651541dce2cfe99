"""The free pages of a SQLite file, read from the file itself (the SQLite file format, §1.3 / §1.5).

A c1z ships its database without the grant indexes that every reader builds when it opens one
(docs/protocol.md §1.3); dropping them just before the file is written leaves their pages on the
database's freelist with their old contents. Writing those pages as zeros makes them compress to
almost nothing, without rewriting the database (VACUUM) or zeroing them on disk first
(`secure_delete`), either of which would write the whole of them again. A free leaf page's
contents are never read by SQLite, so zeros there are exactly what `secure_delete` would leave.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

_HEADER_PAGE_SIZE = 16  # 2 bytes, big-endian; 1 means 65536
_HEADER_FIRST_TRUNK = 32  # 4 bytes: the first freelist trunk page, 0 when the freelist is empty
_HEADER_FREE_COUNT = 36  # 4 bytes: how many pages the freelist holds, trunks included


def free_leaf_pages(db_path: Path) -> tuple[int, frozenset[int]]:
    """(page size, the numbers of the freelist's leaf pages); page numbers start at 1.

    Trunk pages, which hold the list itself, are not included: they must be written as they are.
    """
    with db_path.open("rb") as fh:
        header = fh.read(100)
        if len(header) < 100:
            return 4096, frozenset()
        raw_size = int.from_bytes(header[_HEADER_PAGE_SIZE : _HEADER_PAGE_SIZE + 2], "big")
        page_size = 65536 if raw_size == 1 else raw_size
        trunk = int.from_bytes(header[_HEADER_FIRST_TRUNK : _HEADER_FIRST_TRUNK + 4], "big")
        expected = int.from_bytes(header[_HEADER_FREE_COUNT : _HEADER_FREE_COUNT + 4], "big")
        pages = fh.seek(0, 2) // page_size
        leaves: set[int] = set()
        seen: set[int] = set()
        while trunk and trunk not in seen and trunk <= pages:
            seen.add(trunk)
            trunk, found = _read_trunk(fh, trunk, page_size)
            leaves.update(page for page in found if 1 < page <= pages)
    # A freelist that does not add up (a damaged file) is copied as it is rather than guessed at.
    if len(seen) + len(leaves) != expected or leaves & seen:
        return page_size, frozenset()
    return page_size, frozenset(leaves)


def _read_trunk(fh: BinaryIO, page: int, page_size: int) -> tuple[int, list[int]]:
    fh.seek((page - 1) * page_size)
    data = fh.read(page_size)
    following = int.from_bytes(data[0:4], "big")
    count = min(int.from_bytes(data[4:8], "big"), (page_size - 8) // 4)
    return following, [int.from_bytes(data[8 + 4 * i : 12 + 4 * i], "big") for i in range(count)]


def blank_free_pages(chunk: bytes, offset: int, page_size: int, free: frozenset[int]) -> bytes:
    """`chunk`, read from byte `offset` of the database, with its free leaf pages zeroed.

    `offset` and the chunk's length are multiples of `page_size` (but for the file's last chunk)."""
    if not free:
        return chunk
    first = offset // page_size + 1
    last = first + (len(chunk) + page_size - 1) // page_size
    hits = [page for page in range(first, last) if page in free]
    if not hits:
        return chunk
    out = bytearray(chunk)
    zeros = bytes(page_size)
    for page in hits:
        start = (page - first) * page_size
        end = min(start + page_size, len(out))
        out[start:end] = zeros[: end - start]
    return bytes(out)
