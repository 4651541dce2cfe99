"""The c1z v1 file: a SQLite database of one or more sync runs, zstd-compressed (docs/protocol.md §1).

- `SyncStore` writes one (resumable) sync into a c1z.
- `C1ZReader` reads a c1z for `inspect` and one-shot provisioning.
- `C1ZError` is raised for any file that cannot be read or written, with a one-line message
  (a `BatonError` of the runtime's error tree, exit code 1).
"""

from __future__ import annotations

from baton_confluence.baton.c1z.errors import C1ZError
from baton_confluence.baton.c1z.expansion_store import open_expansion_store
from baton_confluence.baton.c1z.reader import C1ZReader
from baton_confluence.baton.c1z.schema import ENTITLEMENTS, GRANTS, RESOURCES
from baton_confluence.baton.c1z.stats import SyncStats
from baton_confluence.baton.c1z.store import SyncStore
from baton_confluence.baton.c1z.sync_runs import SyncRun

__all__ = [
    "ENTITLEMENTS",
    "GRANTS",
    "RESOURCES",
    "C1ZError",
    "C1ZReader",
    "SyncRun",
    "SyncStats",
    "SyncStore",
    "open_expansion_store",
]
