"""Grant expansion is an algorithm over a protocol: the algorithm and the contract it shares with
stores import no storage (no sqlite3, nothing of baton/c1z); the c1z side depends on the contract,
never on the algorithm."""

from __future__ import annotations

import ast
from pathlib import Path

import baton_confluence

BATON = Path(baton_confluence.__file__).parent / "baton"


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_algorithm_and_its_contract_import_no_storage() -> None:
    for module in (BATON / "sync" / "expansion.py", BATON / "expansion_contract.py"):
        found = imports(module)
        assert found, module
        storage = {m for m in found if m == "sqlite3" or m.startswith("baton_confluence.baton.c1z")}
        assert storage == set(), f"{module.name} imports {sorted(storage)}"


def test_the_c1z_store_knows_the_contract_not_the_algorithm() -> None:
    for module in sorted((BATON / "c1z").glob("*.py")):
        assert "baton_confluence.baton.sync.expansion" not in imports(module), module.name
    assert "baton_confluence.baton.expansion_contract" in imports(BATON / "c1z" / "expansion_store.py")
