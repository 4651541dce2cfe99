"""`inspect export`: every holding of a sync as CSV, one row per (principal, entitlement, route).

A principal that holds an entitlement directly and through two groups has three rows: `how`
is `direct` or `via`, and the `via_*` columns name the source (the group); `derived` marks a
grant expansion created without recording its source. Rows are written
as the grants are read (rowid order), so memory does not grow with the file.
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from baton_confluence.baton.inspect.access import AccessView, InspectError

HEADER = (
    "principal_type",
    "principal_id",
    "principal_name",
    "principal_email",
    "account_type",
    "status",
    "resource_type",
    "resource_id",
    "resource_name",
    "resource_key",
    "entitlement_id",
    "entitlement",
    "how",
    "via_type",
    "via_id",
    "via_name",
    "last_active",  # the principal's, RFC 3339 UTC; empty when unknown (added last: scripts index columns)
)
STDOUT = "-"
# `how`: held directly, via the source in the via_* columns, or derived with no source recorded
DIRECT, VIA, DERIVED = "direct", "via", "derived"


def write_csv(view: AccessView, out: TextIO) -> int:
    """Write the header and every row; the number of rows (header excluded)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    info = view.resolver.info
    rows = 0
    for holding in view.all_holdings():
        who = info(holding.principal)
        what = info(holding.resource)
        head = (
            who.ref.type,
            who.ref.id,
            who.name,
            who.email,
            who.account_type.value,
            who.status.value,
            what.ref.type,
            what.ref.id,
            what.name,
            what.key,
            holding.entitlement_id,
            holding.slug,
        )
        if holding.direct:
            writer.writerow((*head, DIRECT, "", "", "", who.last_active_text))
        elif holding.source_unknown:
            writer.writerow((*head, DERIVED, "", "", "", who.last_active_text))
        for via in holding.via:
            via_name = info(via.resource).name
            writer.writerow((*head, VIA, via.resource.type, via.resource.id, via_name, who.last_active_text))
        rows += len(holding.via) + (1 if holding.direct or holding.source_unknown else 0)
    return rows


def export(view: AccessView, destination: str) -> int:
    """Export to a file (replaced only once complete) or to stdout for `-`."""
    if destination == STDOUT:
        return write_csv(view, sys.stdout)
    with replaced_atomically(Path(destination)) as out:
        return write_csv(view, out)


@contextmanager
def replaced_atomically(path: Path) -> Iterator[TextIO]:
    """A text file written beside `path` and renamed over it on success; on failure the previous
    file stays as it was and the partial one is removed."""
    path = path.resolve()
    if path.is_dir():
        raise InspectError(f"{path} is a directory; pass a file name with -o")
    if not path.parent.is_dir():
        raise InspectError(f"{path.parent} does not exist; pass -o a file in an existing folder")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            yield out
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
