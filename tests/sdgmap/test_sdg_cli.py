"""The ``impactrank sdg`` commands end to end, through the real entry point where errors matter."""

from __future__ import annotations

import sys

import polars as pl
import pytest
from typer.testing import CliRunner

import impactrank.cli.sdg  # noqa: F401  (registers the sdg commands)
from impactrank.cli.common import app

from .conftest import EXAMPLES

runner = CliRunner()


def run_main(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from impactrank.cli import main

    monkeypatch.setattr(sys, "argv", ["impactrank", *args])
    with pytest.raises(SystemExit) as info:
        main()
    out = capsys.readouterr()
    # Rich may wrap a long line at the terminal width; compare the words.
    return info.value.code, out.out, " ".join(out.err.split())


def test_classify_then_metrics(tmp_path):
    labels = tmp_path / "labels.parquet"
    res = runner.invoke(
        app,
        [
            "sdg",
            "classify",
            "-q",
            str(EXAMPLES / "queries.csv"),
            "--in",
            str(EXAMPLES / "publications.csv"),
            "--out",
            str(labels),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "10 publications, 8 with at least one SDG" in res.output
    assert pl.read_parquet(labels)["sdgs"].to_list()[:3] == [[1], [3], []]
    out = tmp_path / "research.csv"
    res = runner.invoke(
        app,
        [
            "sdg",
            "metrics",
            "--publications",
            str(EXAMPLES / "publications.csv"),
            "--labels",
            str(labels),
            "--years",
            "2015-2019",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    df = pl.read_csv(out)
    assert df.columns == ["institution_id", "sdg", "metric", "value"]
    row = df.filter((pl.col("institution_id") == "INST-A") & (pl.col("sdg") == 1))
    # W001 only (W009 is from 2014): 24/8 = 3 citations ratio, Kenyan co-author
    assert dict(zip(row["metric"], row["value"], strict=True)) == {
        "sdg_publications": 1.0,
        "sdg_fwci": 3.0,
        "lmic_coauthorship": 1.0,
    }
    # SDG 17 for INST-B: W001, W004, W005, W010 are on some SDG; W001 (KE), W004 (ET), W010 (BD) have LMIC co-authors
    b17 = df.filter((pl.col("institution_id") == "INST-B") & (pl.col("sdg") == 17))
    assert dict(zip(b17["metric"], b17["value"], strict=True)) == {
        "lmic_coauthorship": 0.75,
        "all_sdg_publications": 4.0,
    }


def test_classify_with_dask_engine(tmp_path):
    src = tmp_path / "pubs.parquet"
    pl.read_csv(EXAMPLES / "publications.csv", infer_schema=False).write_parquet(src, row_group_size=4)
    local, dask = tmp_path / "local.parquet", tmp_path / "dask.parquet"
    q = str(EXAMPLES / "queries.csv")
    assert runner.invoke(app, ["sdg", "classify", "-q", q, "--in", str(src), "--out", str(local)]).exit_code == 0
    res = runner.invoke(app, ["sdg", "classify", "-q", q, "--in", str(src), "--out", str(dask), "--engine", "dask"])
    assert res.exit_code == 0, res.output
    assert local.read_bytes() == dask.read_bytes()


def test_evaluate_prints_ours_beside_published(sdg_data, tmp_path):
    out = tmp_path / "stats.csv"
    res = runner.invoke(
        app,
        [
            "sdg",
            "evaluate",
            "-q",
            "aurora-v5",
            "-q",
            str(EXAMPLES / "queries.csv"),
            "--queries-dir",
            str(sdg_data),
            "--min-agree",
            "1",
            "--out",
            str(out),
        ],
        terminal_width=220,
    )
    assert res.exit_code == 0, res.output
    assert "67.5 / 0.51" in res.output  # Aurora v5 mean accuracy / F1
    assert "text2sdg" in res.output and "83.0" in res.output
    assert "Agreement with text2sdg" in res.output
    stats = pl.read_csv(out)
    assert stats.height == 3 * 18 and set(stats["system"]) == {"aurora-v5", "queries", "vote 1-of-2"}


def test_evaluate_skips_published_comparison_when_absent(tmp_path):
    res = runner.invoke(
        app,
        [
            "sdg",
            "evaluate",
            "-q",
            str(EXAMPLES / "queries.csv"),
            "--published",
            str(tmp_path / "none.csv"),
            "--text2sdg-predictions",
            str(tmp_path / "none.csv"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "comparison skipped" in res.output
    assert "Agreement" not in res.output


def test_user_errors_are_one_line_exit_2_and_leave_no_file(monkeypatch, capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text('sdg,query\n1,"""a"" W/3"\n', encoding="utf-8")
    out = tmp_path / "labels.parquet"
    code, _, err = run_main(
        monkeypatch,
        capsys,
        "sdg",
        "classify",
        "-q",
        str(bad),
        "--in",
        str(EXAMPLES / "publications.csv"),
        "--out",
        str(out),
    )
    assert code == 2
    assert "row 2" in err and "position 7" in err and "Traceback" not in err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]
    code, _, err = run_main(
        monkeypatch,
        capsys,
        "sdg",
        "classify",
        "-q",
        str(EXAMPLES / "queries.csv"),
        "--in",
        str(EXAMPLES / "publications.csv"),
        "--out",
        str(out),
        "--title-col",
        "headline",
    )
    assert code == 2 and "no column 'headline'" in err
    code, _, err = run_main(
        monkeypatch,
        capsys,
        "sdg",
        "metrics",
        "--publications",
        str(EXAMPLES / "publications.csv"),
        "--out",
        str(tmp_path / "r.csv"),
        "--years",
        "2019-2015",
    )
    assert code == 2 and "--years" in err
