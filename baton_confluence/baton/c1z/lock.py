"""An exclusive, non-blocking lock next to a c1z, so two syncs never write the same file."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from baton_confluence.baton.c1z.errors import C1ZError


class FileLock:
    """`flock` on `<c1z>.lock`; the kernel drops it if the process dies, so no stale locks."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, path: Path, subject: Path) -> FileLock:
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise C1ZError(
                    f"{subject}: another sync is writing this file (lock {path} is held); "
                    "wait for it to finish or stop it first"
                ) from None
            # A releaser unlinks the file while still holding the lock; if we locked an
            # inode that is no longer at `path`, our lock guards nothing, so try again.
            if _same_file(fd, path):
                return cls(path, fd)
            os.close(fd)

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self._fd)  # closing the descriptor drops the flock
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)
