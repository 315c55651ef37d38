"""The layers of the architecture hold: each package imports only the layers below it (read from the modules'
own import statements, those inside functions included), and modules do not import one another in a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "impactrank"

# layer → layers it must never import (the root modules below are shared by all)
FORBIDDEN: dict[str, set[str]] = {
    "methodology": {"engine", "io", "report", "web", "portal", "cli", "demo", "sdgmap"},
    "engine": {"io", "report", "web", "portal", "cli", "demo", "sdgmap"},
    "report": {"io", "web", "portal", "cli", "demo"},
    "io": {"web", "portal", "cli", "demo"},
    "sdgmap": {"report", "web", "portal", "cli", "demo"},
    "web": {"portal", "cli", "demo"},
    "portal": {"web", "cli", "demo", "report"},
    "demo": {"report", "web", "portal", "cli"},
    "cli": set(),
}
ROOT_MODULES = {
    "errors",
    "sdgs",
    "countries",
    "pages",
    "page_route",
    "apidocs",
    "headers",
    "declarations",
    "i18n",
}  # import no layer, only one another

# the engine's parts (sub-packages, and the modules at its root) → the other parts each may import: scoring at the
# bottom, then the tables an edition holds, then what reads them; views and scenarios are the engine's top
ENGINE_MAY_IMPORT: dict[str, set[str]] = {
    "registry": set(),
    "scoring": {"registry"},
    "tables": {"registry", "scoring"},
    "checks": {"scoring", "tables"},
    "build": {"checks", "scoring", "tables"},
    "published": {"registry", "tables"},
    "uncertainty": {"scoring", "tables"},
    "forecast": {"published", "tables", "uncertainty"},
    "views": {"tables"},
    "scenarios": {"build", "published", "scoring", "tables"},
}
# read only from outside the engine, and there only by the layers that show or serve a result
ENGINE_TOP = {"views": {"io", "report", "web", "cli"}, "scenarios": {"io", "report", "web", "cli"}}


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """The impactrank modules a file imports (``from . import x`` resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("impactrank")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("impactrank"):
                submodules = {f"{target}.{a.name}" for a in node.names if _is_module(f"{target}.{a.name}")}
                found |= submodules  # "from package import module" needs the module, not the package's names
                if len(submodules) < len(node.names):
                    found.add(target)
    return found


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / name.replace(".", "/")
    return path.is_dir() or path.with_suffix(".py").exists()


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_layer_imports_only_what_it_may():
    broken = []
    for path in modules():
        name = module_name(path)
        layer = layer_of(name)
        for target in imports(path):
            other = layer_of(target)
            if layer in ROOT_MODULES and other and other not in ROOT_MODULES:
                broken.append(f"{name} imports {target} (a shared root module imports no layer)")
            elif other in FORBIDDEN.get(layer, set()):
                broken.append(f"{name} imports {target} ({layer} must not import {other})")
    assert broken == [], "\n".join(broken)


def engine_part(module: str) -> str:
    return module.split(".")[2] if module.startswith("impactrank.engine.") else ""


def test_each_part_of_the_engine_imports_only_the_parts_below_it():
    engine = [p for p in modules() if engine_part(module_name(p))]
    assert {engine_part(module_name(p)) for p in engine} == set(ENGINE_MAY_IMPORT), "place every part of the engine"
    broken = [
        f"{module_name(p)} imports {target}"
        for p in engine
        for target in imports(p)
        if engine_part(target) not in {"", engine_part(module_name(p)), *ENGINE_MAY_IMPORT[engine_part(module_name(p))]}
    ]
    assert broken == [], "\n".join(broken)


def test_views_and_scenarios_are_read_only_by_the_layers_that_show_them():
    broken = [
        f"{module_name(p)} imports {target}"
        for p in modules()
        if not engine_part(module_name(p))
        for target in imports(p)
        if engine_part(target) in ENGINE_TOP and layer_of(module_name(p)) not in ENGINE_TOP[engine_part(target)]
    ]
    assert broken == [], "\n".join(broken)


def test_no_module_imports_itself_back_through_others():
    """No cycle among the package's modules, counting imports inside functions and under TYPE_CHECKING: an import
    moved into a function to dodge a cycle still ties the two modules together."""
    graph = {module_name(p): {t for t in imports(p) if t != module_name(p)} for p in modules()}
    known = set(graph)
    graph = {m: {t for t in targets if t in known} for m, targets in graph.items()}
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" → ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == [], "\n".join(cycles)


def test_the_portals_routes_are_reached_only_from_its_application():
    """The portal's routes/ package is its HTTP edge: the application registers it, and no other portal module
    leans on a route module (the rules and the database stay callable without FastAPI's routing)."""
    routes = "impactrank.portal.routes"
    area_modules = {module_name(p) for p in (PACKAGE / "portal" / "routes").glob("*.py")}
    assert area_modules >= {f"{routes}.{n}" for n in ("auth", "account", "records", "team", "review", "operator")}
    leaning = [
        f"{module_name(p)} imports {target}"
        for p in modules()
        if module_name(p).startswith("impactrank.portal.")
        and not module_name(p).startswith(routes)
        and module_name(p) != "impactrank.portal.app"
        for target in imports(p)
        if target == routes or target.startswith(f"{routes}.")
    ]
    assert leaning == [], "\n".join(leaning)
