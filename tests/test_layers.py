"""The package boundaries the README draws: the runtime knows nothing of Confluence, and the
shipped connector carries no simulated site (it is a package of its own, see simulator/)."""

from __future__ import annotations

import ast
from pathlib import Path

import baton_confluence

PACKAGE = Path(baton_confluence.__file__).parent


def imported_modules(path: Path, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "pb" not in p.relative_to(PACKAGE).parts[:1])


def test_the_runtime_never_imports_the_connector() -> None:
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(m for m in imported_modules(p, top_level_only=False) if m.startswith("baton_confluence.confluence"))
        for p in sources(PACKAGE / "baton")
    }
    assert sources(PACKAGE / "baton"), "the runtime package was not found"
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_connector_package_holds_no_simulator() -> None:
    assert not any("simulator" in p.parts for p in PACKAGE.rglob("*")), "the simulated site must live in simulator/"
    # Only the demo command may reach for it, lazily, with a clear error when it is not installed.
    module_level = {
        str(p.relative_to(PACKAGE))
        for p in sources(PACKAGE)
        if any(m.startswith("confluence_simulator") for m in imported_modules(p, top_level_only=True))
    }
    anywhere = {
        str(p.relative_to(PACKAGE))
        for p in sources(PACKAGE)
        if any(m.startswith("confluence_simulator") for m in imported_modules(p, top_level_only=False))
    }
    assert module_level == set()
    assert anywhere == {"cli/commands.py"}


def test_demo_without_the_simulator_is_one_clear_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    # A None entry in sys.modules makes the import fail as it does where the package is absent.
    code = "import sys; sys.modules['confluence_simulator'] = None; from baton_confluence.cli.main import main; sys.exit(main(['demo']))"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "confluence-simulator" in lines[0] and "Traceback" not in done.stderr
    assert not (tmp_path / "sync.c1z").exists()
