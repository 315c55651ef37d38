"""Every command that takes a file, run in-process on arbitrary bytes and near-valid files: it succeeds, or exits
2 with a one-line message and no traceback, leaving every file as it was (no output, no half-written file, the
workspace byte for byte unchanged)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import seeds
from fuzzing import (
    PROFILES,
    check_outcome,
    counted,
    csv_inputs,
    examples,
    read_rows,
    snapshot,
    text_inputs,
    workbook_inputs,
)
from hypothesis import given
from hypothesis import strategies as st

from inprocess import run_cli


@dataclass(frozen=True)
class Command:
    args: tuple[str, ...]  # {input} is the fuzzed file; the others are files of the folder
    suffix: str
    inputs: st.SearchStrategy[bytes]
    quick: int  # examples in the quick profile


MINI = str(seeds.FIXTURES / "mini.yaml")
WS = ("-w", "ws.duckdb")
csv_groups = csv_inputs(seeds.GROUPS)
COMMANDS = {
    "build --institutions": Command(
        ("build", "-i", "{input}", "-s", "submissions.csv", "-o", "out", "-m", MINI, *WS), ".csv",
        csv_inputs(seeds.INSTITUTIONS), 25,
    ),
    "build --submissions": Command(
        ("build", "-i", "institutions.csv", "-s", "{input}", "-o", "out", "-m", MINI, *WS), ".csv",
        csv_inputs(seeds.SUBMISSIONS), 25,
    ),
    "build --submissions (XLSX)": Command(
        ("build", "-i", "institutions.csv", "-s", "{input}", "-o", "out", "-m", MINI, *WS), ".xlsx",
        workbook_inputs(read_rows(seeds.SUBMISSIONS)), 10,
    ),
    "build --methodology": Command(
        ("build", "-i", "institutions.csv", "-s", "submissions.csv", "-o", "out", "-m", "{input}", *WS), ".yaml",
        text_inputs(seeds.METHODOLOGY), 15,
    ),
    "import": Command(
        ("import", "{input}", "--report", "report.json", *WS), ".csv", csv_inputs(seeds.PUBLISHED), 20,
    ),
    "import (XLSX)": Command(
        ("import", "{input}", "--report", "report.json", *WS), ".xlsx", workbook_inputs(seeds.THE_WORKBOOK), 10,
    ),
    "import --aliases": Command(
        ("import", "published.csv", "--aliases", "{input}", *WS), ".csv", csv_inputs(seeds.ALIASES), 12,
    ),
    "import --corrections": Command(
        ("import", "published.csv", "--corrections", "{input}", *WS), ".csv", csv_inputs(seeds.CORRECTIONS), 12,
    ),
    "view group --groups": Command(
        ("view", "group", "IMT", "-e", "2021", "--groups", "{input}", *WS), ".csv", csv_groups, 15,
    ),
    "compare --groups": Command(
        ("compare", "--from", "2020", "--to", "2021", "--group", "IMT", "--groups", "{input}", "-o", "c.csv", *WS),
        ".csv", csv_groups, 12,
    ),
    "summary --groups": Command(
        ("summary", "-e", "2021", "--group", "IMT", "--groups", "{input}", "-o", "summary.md", *WS), ".csv",
        csv_groups, 12,
    ),
    "report --groups": Command(
        ("report", "-e", "2021", "--group", "IMT", "--groups", "{input}", "-o", "report.html", *WS), ".csv",
        csv_groups, 5,
    ),
    "sdg classify --in": Command(
        ("sdg", "classify", "-q", "queries.csv", "--in", "{input}", "--out", "labels.parquet"), ".csv",
        csv_inputs(seeds.PUBLICATIONS), 20,
    ),
    "sdg classify --queries": Command(
        ("sdg", "classify", "-q", "{input}", "--in", "publications.csv", "--out", "labels.parquet"), ".csv",
        csv_inputs(seeds.QUERIES), 20,
    ),
    "sdg metrics --publications": Command(
        ("sdg", "metrics", "--publications", "{input}", "--out", "metrics.csv"), ".csv",
        csv_inputs(seeds.PUBLICATIONS), 15,
    ),
    "sdg metrics --lmic": Command(
        ("sdg", "metrics", "--publications", "publications.csv", "--lmic", "{input}", "--out", "metrics.csv"), ".csv",
        csv_inputs(seeds.LMIC), 10,
    ),
    "sdg evaluate --benchmark": Command(
        ("sdg", "evaluate", "-q", "queries.csv", "--benchmark", "{input}", "--published", "none.csv", "--out", "e.csv"),
        ".csv", csv_inputs(seeds.BENCHMARK), 12,
    ),
    "sdg evaluate --published": Command(
        ("sdg", "evaluate", "-q", "queries.csv", "--benchmark", "benchmark.csv", "--published", "{input}"), ".csv",
        csv_inputs(seeds.FIGURES), 10,
    ),
    "sdg evaluate --text2sdg-predictions": Command(
        ("sdg", "evaluate", "-q", "queries.csv", "--benchmark", "benchmark.csv", "--published", "none.csv",
         "--text2sdg-predictions", "{input}"),
        ".csv", csv_inputs(seeds.PREDICTIONS), 10,
    ),
    "uncertainty --config": Command(
        ("uncertainty", "-e", "2021", "--config", "{input}", "--runs", "8", "--threads", "1", "-o", "unc", *WS),
        ".yaml", text_inputs(seeds.UNCERTAINTY), 12,
    ),
    "methodology validate": Command(
        ("methodology", "validate", "{input}"), ".yaml", text_inputs(seeds.METHODOLOGY), 25,
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The valid files every command finds beside its fuzzed one, and a workspace with two built editions."""
    from impactrank.io.build import build

    base = tmp_path_factory.mktemp("fuzz-commands")
    for name, content in (
        ("institutions.csv", seeds.INSTITUTIONS),
        ("submissions.csv", seeds.SUBMISSIONS),
        ("published.csv", seeds.PUBLISHED),
        ("queries.csv", seeds.QUERIES),
        ("publications.csv", seeds.PUBLICATIONS),
        ("benchmark.csv", seeds.BENCHMARK),
    ):
        (base / name).write_text(content, encoding="utf-8")
    for edition in ("2020", "2021"):
        build(base / "institutions.csv", base / "submissions.csv", methodology=MINI, workspace=base / "ws.duckdb",
              edition_id=edition)  # fmt: skip
    return base


@pytest.mark.parametrize("scale", PROFILES)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_command_succeeds_or_fails_cleanly(command, scale, request, folder):
    spec = COMMANDS[command]

    @examples(request, spec.quick)
    @given(spec.inputs)
    def case(data: bytes) -> None:
        with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
            work = Path(tmp)
            shutil.copytree(folder, work, dirs_exist_ok=True)
            (work / f"input{spec.suffix}").write_bytes(data)
            before = snapshot(work)
            args = [a.replace("{input}", f"input{spec.suffix}") for a in spec.args]
            args = [str(work / a) if (work / a).exists() or a in OUTPUTS else a for a in args]
            with counted(f"command: {command}"):
                result = run_cli(*args)
            check_outcome(result, work, before)

    case()


OUTPUTS = {"out", "report.json", "c.csv", "summary.md", "report.html", "labels.parquet", "metrics.csv", "e.csv", "unc"}
