"""The free pages of a SQLite file, read from the file itself (the SQLite file format, §1.3 / §1.5).

A c1z ships its database without the grant indexes that every reader builds when it opens one
(docs/protocol.md §1.3); dropping them just before the file is written leaves their pages on the
database's freelist with their old contents. Writing those pages as zeros makes them compress to
almost nothing, without rewriting the database (VACUUM) or zeroing them on disk first
(`secure_delete`), either of which would write the whole of them again. A free leaf page's
contents are never read by SQLite, so zeros there are exactly what `secure_delete` would leave.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

_HEADER_PAGE_SIZE = 16  # 2 bytes, big-endian; 1 means 65536
_HEADER_FIRST_TRUNK = 32  # 4 bytes: the first freelist trunk page, 0 when the freelist is empty
_HEADER_FREE_COUNT = 36  # 4 bytes: how many pages the freelist holds, trunks included


@dataclass
class FreePages:
    """A set of page numbers as a bitmap, one bit a page: a few hundred KiB for a file of any size,
    where a set of the 100,000 free pages of a big sync's dropped indexes took 7 MB of the sync's
    memory at its peak."""

    bits: bytearray = field(default_factory=bytearray)
    count: int = 0

    def add(self, page: int) -> bool:
        """Add `page`; False when it was already there."""
        byte, bit = page >> 3, 1 << (page & 7)
        if byte >= len(self.bits):
            self.bits.extend(bytes(byte + 1 - len(self.bits)))
        if self.bits[byte] & bit:
            return False
        self.bits[byte] |= bit
        self.count += 1
        return True

    def __contains__(self, page: object) -> bool:
        if not isinstance(page, int):
            return False
        byte = page >> 3
        return byte < len(self.bits) and bool(self.bits[byte] & (1 << (page & 7)))

    def __iter__(self) -> Iterator[int]:
        for byte, value in enumerate(self.bits):
            if value:
                yield from (byte * 8 + bit for bit in range(8) if value & (1 << bit))

    def __len__(self) -> int:
        return self.count


def free_leaf_pages(db_path: Path) -> tuple[int, FreePages]:
    """(page size, the freelist's leaf pages); page numbers start at 1.

    Trunk pages, which hold the list itself, are not included: they must be written as they are.
    """
    leaves = FreePages()
    with db_path.open("rb") as fh:
        header = fh.read(100)
        if len(header) < 100:
            return 4096, leaves
        raw_size = int.from_bytes(header[_HEADER_PAGE_SIZE : _HEADER_PAGE_SIZE + 2], "big")
        page_size = 65536 if raw_size == 1 else raw_size
        trunk = int.from_bytes(header[_HEADER_FIRST_TRUNK : _HEADER_FIRST_TRUNK + 4], "big")
        expected = int.from_bytes(header[_HEADER_FREE_COUNT : _HEADER_FREE_COUNT + 4], "big")
        pages = fh.seek(0, 2) // page_size
        trunks: set[int] = set()
        consistent = True
        while trunk and trunk not in trunks and trunk <= pages:
            trunks.add(trunk)
            trunk, found = _read_trunk(fh, trunk, page_size)
            for page in found:
                consistent &= 1 < page <= pages and leaves.add(page)
    # A freelist that does not add up (a damaged file) is copied as it is rather than guessed at.
    if not consistent or len(trunks) + len(leaves) != expected or any(page in leaves for page in trunks):
        return page_size, FreePages()
    return page_size, leaves


def _read_trunk(fh: BinaryIO, page: int, page_size: int) -> tuple[int, list[int]]:
    fh.seek((page - 1) * page_size)
    data = fh.read(page_size)
    following = int.from_bytes(data[0:4], "big")
    count = min(int.from_bytes(data[4:8], "big"), (page_size - 8) // 4)
    return following, [int.from_bytes(data[8 + 4 * i : 12 + 4 * i], "big") for i in range(count)]


def blank_free_pages(chunk: bytes, offset: int, page_size: int, free: FreePages) -> bytes | bytearray:
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
    return out  # not copied again into bytes: the writer takes any buffer
