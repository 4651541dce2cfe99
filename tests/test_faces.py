"""A package whose `__init__` declares `__all__` has a face: the rest of the code imports it only
through that face (`from baton_confluence.confluence.client import Account`), never a module behind it
(`...client.records`). Modules inside the package import their siblings directly. Tests may reach
behind a face: they test the units it hides (README, Development)."""

from __future__ import annotations

import ast
from pathlib import Path

import baton_confluence

SOURCE_ROOT = Path(baton_confluence.__file__).parent
GENERATED = SOURCE_ROOT / "pb"


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def faces(root: Path) -> set[str]:
    """The packages under `root` whose `__init__` assigns `__all__`."""
    found = set()
    for init in root.rglob("__init__.py"):
        tree = ast.parse(init.read_text())
        if any(
            isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            for node in tree.body
        ):
            found.add(module_name(init, root))
    return found


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
    return out


def bypasses(root: Path) -> list[str]:
    """`file:line: module` for every import from outside a faced package of a module behind its face."""
    faced = faces(root)
    found = []
    for path in sorted(root.rglob("*.py")):
        if GENERATED in path.parents:
            continue
        importer = module_name(path, root)
        if path.name == "__init__.py":
            importer += ".__init__"
        for line, module in imported_modules(ast.parse(path.read_text())):
            for face in faced:
                if module.startswith(face + ".") and not importer.startswith(face + "."):
                    found.append(f"{path.relative_to(root.parent)}:{line}: {module} (import it from {face})")
    return found


def test_code_imports_packages_through_their_faces() -> None:
    assert bypasses(SOURCE_ROOT) == []


def test_every_exported_name_exists() -> None:
    import importlib

    for face in sorted(faces(SOURCE_ROOT)):
        package = importlib.import_module(face)
        missing = [name for name in package.__all__ if not hasattr(package, name)]
        assert missing == [], face


def test_the_check_finds_a_bypass_and_allows_the_face(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    (root / "inner").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "inner" / "__init__.py").write_text("from pkg.inner.impl import Thing\n\n__all__ = ['Thing']\n")
    (root / "inner" / "impl.py").write_text("from pkg.inner.helper import X\n\nThing = X\n")
    (root / "inner" / "helper.py").write_text("X = 1\n")
    (root / "outside.py").write_text("from pkg.inner import Thing\nfrom pkg.inner.impl import Thing as T\n")
    assert bypasses(root) == ["pkg/outside.py:2: pkg.inner.impl (import it from pkg.inner)"]
