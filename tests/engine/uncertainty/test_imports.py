"""The uncertainty package reads as layers: no import cycle among the engine's modules (imports inside
functions and TYPE_CHECKING blocks count too), and the package imports nothing that reads or writes files."""

from __future__ import annotations

import ast
from pathlib import Path

import impactrank

PACKAGE = Path(impactrank.__file__).parent
FORBIDDEN = ("impactrank.io", "impactrank.report", "impactrank.web", "impactrank.portal", "impactrank.cli")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, wherever the import statement stands."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            module = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
            out.add(module)
            out.update(f"{module}.{alias.name}" for alias in node.names)
    return out


def engine_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in (PACKAGE / "engine").rglob("*.py")}
    return {name: {m for m in imported(path) if m in modules and m != name} for name, path in modules.items()}


def test_no_import_cycle_in_the_engine():
    graph = engine_graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def cycle_from(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]  # the nodes on the path are the ones marked 1
            if nxt not in state and (found := cycle_from(nxt, [*path, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = cycle_from(start, [start])
            assert found is None, " → ".join(found)


def test_uncertainty_package_does_no_io():
    for path in (PACKAGE / "engine" / "uncertainty").glob("*.py"):
        bad = sorted(m for m in imported(path) if m.startswith(FORBIDDEN))
        assert not bad, f"{path.name} imports {', '.join(bad)}"
