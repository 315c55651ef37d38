"""``--out`` across the commands: a file's suffix names its format, a folder is a folder, and anything else is
refused with one line (exit 2) before any work, leaving no file behind."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from impactrank.cli.common import out_dir, out_format
from impactrank.errors import InputError
from inprocess import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sdg"
TABLE_SUFFIXES = ("csv", "json", "jsonl", "xlsx", "parquet")


def run_main(*args) -> tuple[int, str]:
    result = run_cli(*args)
    return result.code, " ".join((result.out + result.err).split())


def read_any(path: Path) -> pl.DataFrame:
    """Read back with the file's own reader, not the package's."""
    suffix = path.suffix.lstrip(".")
    if suffix == "json":
        return pl.DataFrame(json.loads(path.read_text(encoding="utf-8")), infer_schema_length=None)
    if suffix == "jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return pl.DataFrame(rows, infer_schema_length=None)
    if suffix == "xlsx":
        return pl.read_excel(path)
    if suffix == "parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema=False)


def test_out_format_and_out_dir(tmp_path):
    assert out_format(Path("t.CSV"), ("csv",)) == "csv"
    assert out_format(Path("t.pq"), ("parquet",)) == "parquet"
    with pytest.raises(InputError, match=r"writes \.html, \.pdf, not \.docx"):
        out_format(Path("r.docx"), ("html", "pdf"))
    with pytest.raises(InputError, match="without a suffix"):
        out_format(Path("r"), ("csv",))
    with pytest.raises(InputError, match="is a directory"):
        out_format(tmp_path, ("csv",))
    assert out_dir(tmp_path / "results.v2") == tmp_path / "results.v2"  # a dot in a folder name is fine
    with pytest.raises(InputError, match="name a folder"):
        out_dir(tmp_path / "results.csv")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="name a folder"):
        out_dir(tmp_path / "file")


@pytest.mark.parametrize("suffix", TABLE_SUFFIXES)
def test_view_writes_the_format_its_suffix_names(demo_build, tmp_path, suffix):
    out = tmp_path / f"overall.{suffix}"
    code, text = run_main("view", "overall", "-e", "2021", "-w", demo_build.workspace, "-o", out)
    assert code == 0, text
    table = read_any(out)
    overall = demo_build.editions[2021].overall
    assert table.height == overall.height
    assert sorted(table["institution_id"].cast(pl.String)) == sorted(overall["institution_id"])
    assert "name" in table.columns  # the whole view, not the terminal's narrower selection


def test_view_refuses_an_unknown_suffix_and_a_contradiction(demo_build, tmp_path):
    code, text = run_main("view", "overall", "-e", "2021", "-w", demo_build.workspace, "-o", tmp_path / "t.txt")
    assert code == 2 and "writes .csv, .json, .jsonl, .xlsx, .parquet, not .txt" in text
    code, text = run_main(
        *("view", "overall", "-e", "2021", "-w", demo_build.workspace, "-f", "csv", "-o", tmp_path / "t.json"),
    )
    assert code == 2 and "does not end in .csv" in text
    assert "Traceback" not in text and list(tmp_path.iterdir()) == []


def test_labels_in_every_format_give_the_same_metrics(tmp_path):
    metrics = {}
    for suffix in ("parquet", "csv", "jsonl"):
        labels = tmp_path / f"labels.{suffix}"
        code, text = run_main(
            *("sdg", "classify", "-q", EXAMPLES / "queries.csv", "--in", EXAMPLES / "publications.csv"),
            *("--out", labels),
        )
        assert code == 0, text
        out = tmp_path / f"research-{suffix}.csv"
        code, text = run_main(
            *("sdg", "metrics", "--publications", EXAMPLES / "publications.csv", "--labels", labels),
            *("--years", "2015-2019", "--out", out),
        )
        assert code == 0, text
        metrics[suffix] = out.read_bytes()
    assert metrics["csv"] == metrics["parquet"] == metrics["jsonl"]
    csv_labels = pl.read_csv(tmp_path / "labels.csv", infer_schema=False)
    parquet_labels = pl.read_parquet(tmp_path / "labels.parquet")
    assert csv_labels["sdgs"].fill_null("").to_list() == [
        ";".join(map(str, s)) for s in parquet_labels["sdgs"].to_list()
    ]


@pytest.mark.parametrize("suffix", TABLE_SUFFIXES)
def test_evaluate_writes_the_format_its_suffix_names(tmp_path, suffix):
    out = tmp_path / f"stats.{suffix}"
    code, text = run_main("sdg", "evaluate", "-q", EXAMPLES / "queries.csv", "--out", out)
    assert code == 0, text
    stats = read_any(out)
    assert stats.height == 18 and stats["sdg"].cast(pl.String).to_list()[0] == "Average"
    decimals = stats["accuracy"].cast(pl.String).str.split(".").list.get(1, null_on_oob=True).str.len_chars()
    assert decimals.max() <= 4


@pytest.mark.parametrize(
    "args",
    [
        ("sdg", "classify", "-q", EXAMPLES / "queries.csv", "--in", EXAMPLES / "publications.csv", "--out", "l.xlsx"),
        ("sdg", "evaluate", "-q", EXAMPLES / "queries.csv", "--out", "stats.md"),
        ("sdg", "metrics", "--publications", EXAMPLES / "publications.csv", "--out", "metrics.parquet"),
        ("report", "-e", "2021", "--out", "report.docx"),
        ("institutions", "match", "-e", "2020", "-e", "2021", "--out", "aliases.xlsx"),
        ("audit", "-e", "2021", "--out", "audit.md"),
        ("uncertainty", "-e", "2021", "--runs", "4", "--out", "ranks.csv"),
        ("demo", "--out", "demo.csv"),
        ("portal", "export", "--cycle", "2021", "--out", "export.csv"),
        ("portal", "audit", "--out", "audit.xlsx"),
    ],
    ids=lambda a: " ".join(map(str, a[:2])),
)
def test_a_wrong_out_is_refused_before_any_work(demo_build, monkeypatch, tmp_path, args):
    monkeypatch.chdir(tmp_path)
    extra = ("-w", demo_build.workspace) if args[0] in ("report", "institutions", "audit", "uncertainty") else ()
    if args[0] == "portal":
        extra = ("--database", f"sqlite:///{tmp_path / 'none.sqlite'}")
    code, text = run_main(*args, *extra)
    assert code == 2, text
    assert "--out" in text and "Traceback" not in text
    assert list(tmp_path.iterdir()) == []


def test_build_refuses_a_file_name_for_its_folder(tmp_path, mini_paths):
    out = tmp_path / "overall.csv"
    code, text = run_main(
        *("build", "-i", mini_paths["institutions"], "-s", mini_paths["submissions"]),
        *("-m", mini_paths["methodology"], "-w", tmp_path / "ws.duckdb", "--out", out),
    )
    assert code == 2 and "name a folder" in text
    assert list(tmp_path.iterdir()) == []
