"""inspect asks the file its questions through `C1ZReader`'s named methods (issue 24): no module
of baton/inspect/ runs SQL of its own or reaches for the reader's connection."""

from __future__ import annotations

import re
from pathlib import Path

import baton_confluence.baton.inspect as inspect_package

INSPECT = Path(inspect_package.__file__).parent
# Running a statement, or the connection a statement would run on.
SQL_USE = re.compile(r"\.execute(many)?\(|\.conn\b|sqlite3\.connect|\bselect\s+\S+.*\bfrom\b", re.IGNORECASE)


def test_no_inspect_module_runs_its_own_sql() -> None:
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(INSPECT.glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if SQL_USE.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


def test_the_pattern_catches_what_it_is_for() -> None:
    assert SQL_USE.search('rows = reader.conn.execute(f"select data from {GRANTS} where sync_id = ?")')
    assert SQL_USE.search("self._conn.execute(sql, params)")
    assert not SQL_USE.search("for grant in reader.grants_in(sync_id, principal=key):")
