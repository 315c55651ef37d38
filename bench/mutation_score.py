"""Print the mutation score of the last `mutmut run` (`make mutate`): per module and overall, then the names of
the mutants that survived (and of those no selected test reached).

Reads mutmut's per-file results (``mutants/**/*.py.meta``, one folder per module since `make mutate` runs them
one by one). The score is killed / mutants, where a timeout counts as killed (the mutant changed behaviour enough
to hang a test) and a mutant no test reached counts as not killed. ``mutmut show NAME``, run in the module's
folder (``mutants/<module>/``), prints what a mutant changed. ``--json PATH`` also writes the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

KILLED = ("killed", "timeout")
COLUMNS = ("killed", "timeout", "survived", "no tests", "other")


def module_results(mutants: Path) -> dict[str, dict[str, str]]:
    """module → {mutant name: status} from every ``.meta`` file under ``mutants``."""
    results: dict[str, dict[str, str]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        exit_codes = json.loads(meta.read_text("utf-8")).get("exit_code_by_key", {})
        if not exit_codes:
            continue
        parts = meta.relative_to(mutants).with_suffix("").with_suffix("").parts
        module = ".".join(parts[len(parts) - parts[::-1].index("src") :] if "src" in parts else parts)
        results[module] = {name: status_by_exit_code[code] for name, code in exit_codes.items()}
    return results


def tally(statuses: dict[str, str]) -> dict[str, int]:
    counts = Counter(s if s in COLUMNS else "other" for s in statuses.values())
    row = {c: counts.get(c, 0) for c in COLUMNS}
    row["mutants"] = len(statuses)
    row["score_killed"] = sum(counts.get(s, 0) for s in KILLED)
    return row


def percent(killed: int, total: int) -> str:
    return f"{100.0 * killed / total:5.1f} %" if total else "    – "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "mutants", nargs="*", default=[Path("mutants")], type=Path, help="mutmut's folders (default: mutants)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures and surviving mutants to this file")
    args = parser.parse_args(argv)
    results = {m: r for folder in args.mutants for m, r in module_results(folder).items()}
    if not results:
        print(f"no mutmut results under {', '.join(map(str, args.mutants))}: run `make mutate` first", file=sys.stderr)
        return 1
    rows = {module: tally(statuses) for module, statuses in results.items()}
    rows["overall"] = tally({k: v for statuses in results.values() for k, v in statuses.items()})

    width = max(len(m) for m in rows)
    head = f"{'module':<{width}}  {'mutants':>7}  " + "  ".join(f"{c:>8}" for c in COLUMNS) + "     score"
    print(head)
    print("-" * len(head))
    for module, row in rows.items():
        if module == "overall":
            print("-" * len(head))
        cells = "  ".join(f"{row[c]:>8}" for c in COLUMNS)
        print(f"{module:<{width}}  {row['mutants']:>7}  {cells}  {percent(row['score_killed'], row['mutants'])}")
    print("score = (killed + timeout) / mutants")

    unchecked = [k for statuses in results.values() for k, v in statuses.items() if v == "not checked"]
    if unchecked:
        print(f"\n{len(unchecked)} mutants not checked yet: the run was interrupted; run `make mutate` again.")
    survived = sorted(k for statuses in results.values() for k, v in statuses.items() if v == "survived")
    untested = sorted(k for statuses in results.values() for k, v in statuses.items() if v == "no tests")
    print(f"\nSurviving mutants ({len(survived)}; `mutmut show NAME` in mutants/<module>/ prints the change):")
    for name in survived:
        print(f"  {name}")
    if untested:
        print(f"\nMutants no selected test reaches ({len(untested)}):")
        for name in untested:
            print(f"  {name}")
    if args.json:
        args.json.write_text(
            json.dumps({"modules": rows, "survived": survived, "no_tests": untested}, indent=1) + "\n", "utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
