"""No import cycle between the packages (and top-level modules) of `baton_confluence`.

An import of `a.b.c` from `a.x.y` is an edge `a.x` -> `a.b` (lifted to the children of the two
modules' deepest common package): importing `a.b.c` runs `a/b/__init__.py` first, so two sibling
packages that import each other can meet half-initialised whichever module is loaded first. Only
module-level imports count (those inside functions and `if TYPE_CHECKING:` run later or never); a
package importing its own submodules, or a module its own ancestor package, is not an edge.
"""

from __future__ import annotations

import ast
import graphlib
import itertools
from collections.abc import Iterator
from pathlib import Path

import baton_confluence

PACKAGE = Path(baton_confluence.__file__).parent

Edge = tuple[str, str]


def module_names(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package rooted at `root`."""
    names: dict[str, Path] = {}
    for path in root.rglob("*.py"):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _module_level(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            guard = ast.unparse(node.test)
            if guard not in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                yield from _module_level(node.body)
            yield from _module_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _module_level(block)


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of the package that `name` imports when it is loaded."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _module_level(ast.parse(path.read_text(), filename=str(path)).body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = name.split(".")
            anchor = anchor if is_package else anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            child = f"{base}.{alias.name}"
            found.add(child if child in known else base)
    return {module for module in found if module in known}


def lifted(source: str, target: str) -> Edge | None:
    """`source` importing `target`, as an edge between the children of their common package."""
    s, t = source.split("."), target.split(".")
    common = 0
    while common < min(len(s), len(t)) and s[common] == t[common]:
        common += 1
    if common in (len(s), len(t)):
        return None  # a package and its own submodule
    return ".".join(s[: common + 1]), ".".join(t[: common + 1])


def edges(root: Path) -> dict[Edge, tuple[str, str]]:
    """Each lifted edge, with one module import that makes it (for the failure message)."""
    known = module_names(root)
    found: dict[Edge, tuple[str, str]] = {}
    for name, path in sorted(known.items()):
        for target in sorted(imports_of(name, path, known)):
            edge = lifted(name, target)
            if edge is not None:
                found.setdefault(edge, (name, target))
    return found


def cycle(graph: set[Edge]) -> list[str]:
    """One import cycle (its nodes, the first repeated at the end), or [] when there is none."""
    predecessors: dict[str, set[str]] = {}
    for a, b in graph:
        predecessors.setdefault(b, set()).add(a)
        predecessors.setdefault(a, set())
    try:
        graphlib.TopologicalSorter(predecessors).prepare()
    except graphlib.CycleError as err:
        return list(err.args[1])
    return []


def test_no_import_cycle_between_packages() -> None:
    found = edges(PACKAGE)
    assert ("baton_confluence.confluence", "baton_confluence.baton") in found, "the walk found no imports"
    loop = cycle(set(found))
    pairs = itertools.pairwise(loop)
    steps = [found.get((x, y)) or found[(y, x)] for x, y in pairs]  # one module import per step
    assert loop == [], "import cycle: " + "; ".join(f"{a} imports {b}" for a, b in steps)


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_walk_finds_a_cycle_through_sibling_packages(tmp_path: Path) -> None:
    """The shape this repository had: syncers import provisioning, provisioning imports syncers
    (a different module of it), and a relative import; a TYPE_CHECKING-only import is no edge."""
    root = tmp_path / "pkg"
    _write(
        root,
        {
            "__init__.py": "",
            "syncers/__init__.py": "from pkg.syncers.groups import G\n",
            "syncers/groups.py": "from pkg.provisioning.members import M\n",
            "syncers/grants.py": "X = 1\n",
            "provisioning/__init__.py": "",
            "provisioning/members.py": "from ..syncers import grants\n",
            "leaf/__init__.py": "",
            "leaf/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.syncers import groups\n",
        },
    )
    graph = set(edges(root))
    assert ("pkg.provisioning", "pkg.syncers") in graph
    assert ("pkg.leaf", "pkg.syncers") not in graph
    assert sorted(set(cycle(graph))) == ["pkg.provisioning", "pkg.syncers"]


def test_a_function_level_import_and_an_own_package_are_no_edge(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    _write(
        root,
        {
            "__init__.py": "from pkg import a\n",
            "a.py": "import pkg.b\n",
            "b.py": "def later():\n    import pkg.a\n",
        },
    )
    assert set(edges(root)) == {("pkg.a", "pkg.b")}
    assert cycle(set(edges(root))) == []
