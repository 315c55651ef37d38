"""Mutation testing one module at a time (`make mutate [MODULES=...]`), then the score of the modules run.

pyproject.toml declares, in ``[[tool.impactrank.mutation]]``, the modules to mutate and the tests that should kill
their mutants. mutmut reads its settings from the pyproject.toml of the folder it runs in, so each module gets a
folder of its own, ``mutants/<module>/``: a copy of src/ and tests/, and a pyproject.toml holding the project's
pytest settings and its ``[tool.mutmut]`` with only that module and its tests. The real data beside the repository
is linked beside the copy, so the tests that read it run too. A module takes minutes; all of them take hours.

    python bench/mutate.py src/impactrank/portal/deadlines.py src/impactrank/io/published/
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import mutation_score

REPO = Path(__file__).resolve().parents[1]
MUTANTS = REPO / "mutants"


def declared(pyproject: dict) -> list[tuple[list[str], list[str]]]:
    """(module patterns, tests) of each declared group."""
    groups = pyproject.get("tool", {}).get("impactrank", {}).get("mutation", [])
    return [(g["modules"], g["tests"]) for g in groups]


def python_files(pattern: str) -> list[str]:
    """The .py files a module path names: a file, every file under a folder, or a glob; relative to the repo."""
    path = REPO / pattern
    if path.is_dir():
        found = path.rglob("*.py")
    else:
        found = REPO.glob(pattern) if any(c in pattern for c in "*?[") else [path] if path.is_file() else []
    return sorted(p.relative_to(REPO).as_posix() for p in found if p.suffix == ".py" and "__pycache__" not in p.parts)


def has_functions(module: str) -> bool:
    """mutmut mutates function bodies only: a module of classes with fields alone (a dataclass) has no mutant, and
    mutmut would report that as a failure to collect its statistics."""
    tree = ast.parse((REPO / module).read_text("utf-8"))
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) for node in ast.walk(tree))


def plan(requested: list[str], groups: list[tuple[list[str], list[str]]]) -> dict[str, list[str]]:
    """module → its tests, for the requested modules (all declared ones when none is)."""
    if not requested:
        requested = [p for patterns, _ in groups for p in patterns]
    out: dict[str, list[str]] = {}
    for req in requested:
        files = python_files(req)
        if not files:
            raise SystemExit(f"mutate: no Python file at {req}")
        for f in files:
            tests = next((t for patterns, t in groups if any(fnmatch.fnmatch(f, p) for p in patterns)), None)
            if tests is None:
                raise SystemExit(f"mutate: {f} is not declared in pyproject.toml ([[tool.impactrank.mutation]])")
            out[f] = tests
    return out


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value) if isinstance(value, str) else repr(value)


def module_name(module: str) -> str:
    return Path(module).with_suffix("").as_posix().removeprefix("src/").replace("/", ".")


def prepare(module: str, tests: list[str], pyproject: dict) -> Path:
    """The module's own folder: copies of src/, tests/ and examples/, its pyproject.toml, and the real data linked."""
    work = MUTANTS / module_name(module)
    shutil.rmtree(work, ignore_errors=True)
    junk = shutil.ignore_patterns("__pycache__", "*.pyc")
    for tree in ("src", "tests", "examples"):  # tests read examples/ (group files, query tables) beside tests/
        shutil.copytree(REPO / tree, work / tree, ignore=junk)
    selection = [t for test in tests for t in (python_files(test) if "*" in test else [test])]
    mutmut = {
        **pyproject["tool"]["mutmut"],
        "only_mutate": [module],
        "pytest_add_cli_args_test_selection": selection,
        "also_copy": ["examples"],
    }
    pytest_ini = pyproject["tool"]["pytest"]["ini_options"]
    lines = ["[tool.pytest.ini_options]", *(f"{k} = {toml_value(v)}" for k, v in pytest_ini.items())]
    lines += ["", "[tool.mutmut]", *(f"{k} = {toml_value(v)}" for k, v in mutmut.items())]
    (work / "pyproject.toml").write_text("\n".join(lines) + "\n", "utf-8")
    shared = REPO.parent / "shared"
    if shared.is_dir():  # the tests find the data at ../shared from the copy mutmut makes in work/mutants
        (work / "shared").symlink_to(shared, target_is_directory=True)
    return work


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="module files, folders or globs (default: every declared one)")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    args = parser.parse_args(argv)
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    todo = plan(args.modules, declared(pyproject))
    if not args.modules:
        shutil.rmtree(MUTANTS, ignore_errors=True)
    mutmut = Path(sys.executable).parent / "mutmut"
    done, failed = [], []
    for module, tests in todo.items():
        if not has_functions(module):
            print(f"\n=== {module}: no function, nothing to mutate", flush=True)
            continue
        print(f"\n=== {module}: {len(tests)} test paths", flush=True)
        work = prepare(module, tests, pyproject)
        run = subprocess.run([str(mutmut), "run", "--max-children", str(args.max_children)], cwd=work)
        (done if run.returncode == 0 else failed).append(work)
    if failed:
        print(f"\nmutmut failed for: {', '.join(w.name for w in failed)}", file=sys.stderr)
    if done:
        mutation_score.main([str(w) for w in done])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
