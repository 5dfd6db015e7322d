"""The import graph of a package, read from its source with ``ast`` (nothing is imported).

Every ``import`` and ``from ... import`` counts, at module level or inside a function, except
those under ``if TYPE_CHECKING:`` (never executed). An edge goes from a module to the module it
names: ``from ._load import Results`` in ``diffbench.report._report`` is an edge to
``diffbench.report._load``; ``from . import _format`` is an edge to ``diffbench.report._format``
when that is a module, else to the package ``diffbench.report``.

Run as a script for the per-package edges and the module sizes::

    python tests/_import_graph.py [PACKAGE_FOLDER]   # default: ./diffbench
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path


def module_files(root: Path) -> dict[str, Path]:
    """Return ``{dotted module name: file}`` for every ``.py`` file under the package ``root``."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """The ids of the import nodes under ``if TYPE_CHECKING:`` blocks."""
    skipped = set()
    for node in ast.walk(tree):
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
            skipped |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    return skipped


def _targets(node: ast.AST, module: str, is_package: bool, known: set[str]) -> list[str]:
    """The modules of ``known`` that one import statement in ``module`` names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in known]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join(package + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    found = []
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        if candidate in known:
            found.append(candidate)
        elif base in known:
            found.append(base)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    """Return ``{module: modules it imports}`` within the package at ``root``."""
    files = module_files(root)
    known = set(files)
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skipped = _type_checking_nodes(tree)
        is_package = path.name == "__init__.py"
        edges = {
            target
            for node in ast.walk(tree)
            if id(node) not in skipped
            for target in _targets(node, module, is_package, known)
        }
        graph[module] = edges - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def package_of(module: str, depth: int = 2) -> str:
    """The package a module is counted under: its first ``depth`` dotted parts."""
    parts = module.split(".")
    return ".".join(parts[:depth]) if len(parts) > depth else module


def package_edges(graph: dict[str, set[str]]) -> Counter[tuple[str, str]]:
    """Return ``{(package, package): number of module edges}`` between different packages."""
    edges: Counter[tuple[str, str]] = Counter()
    for module, targets in graph.items():
        for target in targets:
            pair = (package_of(module), package_of(target))
            if pair[0] != pair[1]:
                edges[pair] += 1
    return edges


def main(argv: list[str]) -> int:
    """Print module sizes per package, the per-package edges and any cycle; return 1 on a cycle."""
    root = Path(argv[0] if argv else "diffbench").resolve()
    files = module_files(root)
    graph = import_graph(root)
    sizes: dict[str, list[int]] = {}
    for module, path in files.items():
        sizes.setdefault(package_of(module), []).append(len(path.read_text().splitlines()))
    print("package                      modules  lines  largest")
    for package, lines in sorted(sizes.items()):
        print(f"{package:<28} {len(lines):>7} {sum(lines):>6} {max(lines):>8}")
    print(f"{'total':<28} {len(files):>7} {sum(map(sum, sizes.values())):>6}")
    print("\nedges between packages (module edges):")
    for (source, target), count in sorted(package_edges(graph).items()):
        print(f"  {source} -> {target} ({count})")
    found = cycles(graph)
    print(f"\nimport cycles: {len(found)}")
    for component in found:
        print("  " + " <-> ".join(component))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
