"""The file holding an OAuth 2.0 (3LO) refresh token (`--oauth-refresh-token-file`).

Refresh tokens rotate: every refresh answers a new one and invalidates the old (docs/auth.md). The
new token is therefore written before the access token it came with is used, atomically (a
temporary file in the same directory, fsync, rename, fsync of the directory), so that a crash at
any point leaves the file holding either the old token (still unused, so still valid) or the new one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client.errors import PREFIX

FLAG = "--oauth-refresh-token-file"


class RefreshTokenFile:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def problem(self) -> str | None:
        """Why the file cannot be used (for a usage error before any request), or None."""
        try:
            token = self.path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            return f"{FLAG} {str(self.path)!r} cannot be read ({exc.strerror or exc})"
        if not token:
            return f"{FLAG} {str(self.path)!r} is empty; write the app's refresh token into it (docs/auth.md)"
        if not os.access(self.path.parent, os.W_OK):
            return f"{FLAG}: the directory of {str(self.path)!r} is not writable; the rotated token is saved there"
        return None

    def read(self) -> str:
        problem = self.problem()
        if problem is not None:
            raise ConnectorError(grpc.StatusCode.FAILED_PRECONDITION, f"{PREFIX}: {problem}")
        return self.path.read_text(encoding="utf-8").strip()

    def replace(self, token: str) -> None:
        """Write `token` in place of the old one, atomically and durably."""
        directory = self.path.parent
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(token + "\n")
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is; not every platform can open one.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
