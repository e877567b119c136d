"""No import cycle between the files of wijk/, nor between its packages.

The walk reads every `import` statement itself (top-level and inside functions), so a
cycle hidden in a function body counts too; only `if TYPE_CHECKING:` blocks are left
out. A package here is a direct child of wijk/ (`wijk.content`, `wijk.visibility`); the
package `wijk` itself (the app factory) sits on top of everything and is left out, as is
the implicit import of a parent package."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def module_names(package_dir: Path) -> dict[str, Path]:
    names = {}
    for path in package_dir.rglob("*.py"):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _targets(
    module: str, path: Path, node: ast.Import | ast.ImportFrom, known: dict[str, Path]
) -> Iterable[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    for alias in node.names:
        full = f"{base}.{alias.name}"
        yield full if full in known else base


def _is_type_checking(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:`: imports only the type checker runs, which cannot close a cycle
    at run time (a model naming its relative's class for mypy, say)."""
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """module -> the modules of the same top package it imports."""
    known = module_names(package_dir)
    top = package_dir.name
    graph: dict[str, set[str]] = {name: set() for name in known}
    for module, path in known.items():
        tree = ast.parse(path.read_text(), str(path))
        typing_only = {
            id(child)
            for block in ast.walk(tree)
            if _is_type_checking(block)
            for statement in block.body
            for child in ast.walk(statement)
        }
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)) or id(node) in typing_only:
                continue
            for target in _targets(module, path, node, known):
                while target not in known and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in known and target != module and target != top:
                    graph[module].add(target)
    return graph


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    def package(name: str) -> str:
        return ".".join(name.split(".")[:2])

    packages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        if "." not in module:
            continue  # the top package: the app factory imports every feature
        for target in targets:
            a, b = package(module), package(target)
            if a != b:
                packages.setdefault(a, set()).add(b)
    return packages


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_between_files_of_wijk():
    assert cycles(import_graph(ROOT / "wijk")) == []


def test_no_import_cycle_between_packages_of_wijk():
    assert cycles(package_graph(import_graph(ROOT / "wijk"))) == []


@pytest.fixture
def tangled(tmp_path: Path) -> Path:
    """A package whose files and packages import each other, one of them from inside a
    function, the way wijk's used to."""
    top = tmp_path / "pkg"
    for folder in ("a", "b"):
        (top / folder).mkdir(parents=True)
        (top / folder / "__init__.py").write_text("")
    (top / "__init__.py").write_text("from pkg.a import views\n")
    (top / "a" / "views.py").write_text("from pkg.b.services import helper\n")
    (top / "b" / "services.py").write_text(
        "def helper():\n    from pkg.a import views  # looks harmless\n    return views\n"
    )
    (top / "b" / "forms.py").write_text(
        "from typing import TYPE_CHECKING\nfrom .services import helper\n"
        "if TYPE_CHECKING:\n    from pkg.a.views import something  # for mypy only\n"
    )
    return top


def test_the_walk_finds_a_cycle_hidden_in_a_function(tangled: Path):
    graph = import_graph(tangled)
    assert cycles(graph) == [["pkg.a.views", "pkg.b.services"]]
    assert cycles(package_graph(graph)) == [["pkg.a", "pkg.b"]]
    assert graph["pkg.b.forms"] == {"pkg.b.services"}  # relative imports resolve; typing
    # imports do not count


def test_every_module_of_wijk_is_in_the_graph():
    graph = import_graph(ROOT / "wijk")
    assert {"wijk.visibility", "wijk.content.page", "wijk.privacy.erasers"} <= set(graph)
    assert "wijk.content.page" in graph["wijk.content.views"]
