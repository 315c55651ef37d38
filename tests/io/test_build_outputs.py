"""Build from files: outputs, manifest, byte-identical rebuilds, independence from input row order."""

import csv
import json
import random
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactrank.io.build import build, sha256_file
from impactrank.io.build_files import OUTPUT_FILES
from impactrank.io.workspace import Workspace


def run(paths, out, **kw):
    return build(paths["institutions"], paths["submissions"], methodology=paths["methodology"], out=out, **kw)


def test_outputs_and_manifest(mini_paths, tmp_path):
    report = run(mini_paths, tmp_path / "out", workspace=tmp_path / "ws.duckdb")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(OUTPUT_FILES)
    with open(tmp_path / "out" / "overall.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["rank"] for r in rows] == ["1", "2", "3–4", "3–4"]
    assert rows[0]["country"] == "FR" and rows[3]["country"] == "IT"
    assert rows[1]["top_sdgs"] == "3;1;2" and float(rows[1]["top2_scaled"]) == 400 / 9
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["methodology"]["id"] == "mini"
    assert manifest["inputs"][0]["sha256"] == sha256_file(mini_paths["institutions"])
    for name in ("overall.csv", "sdg_scores.csv", "metric_scores.csv"):
        assert manifest["outputs"][name] == sha256_file(tmp_path / "out" / name), name
    text = (tmp_path / "out" / "manifest.json").read_text()
    assert str(tmp_path) not in text and "/" not in json.dumps(manifest["inputs"])
    with Workspace(tmp_path / "ws.duckdb", read_only=True) as ws:
        stored = ws.load("2021")
    assert stored.overall.equals(report.edition.overall)


def test_two_builds_are_byte_identical(mini_paths, tmp_path):
    run(mini_paths, tmp_path / "a")
    run(mini_paths, tmp_path / "b")
    for name in OUTPUT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def shuffled_copy(src: Path, dst: Path, seed: int) -> Path:
    lines = src.read_text().splitlines(keepends=True)
    body = lines[1:]
    random.Random(seed).shuffle(body)
    dst.write_text(lines[0] + "".join(body))
    return dst


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10_000))
def test_output_does_not_depend_on_input_row_order(mini_paths, tmp_path, seed):
    base = run(mini_paths, None).edition
    paths = dict(mini_paths)
    paths["institutions"] = shuffled_copy(mini_paths["institutions"], tmp_path / "institutions.csv", seed)
    paths["submissions"] = shuffled_copy(mini_paths["submissions"], tmp_path / "submissions.csv", seed + 1)
    other = run(paths, None).edition
    for name in ("overall", "sdg_scores", "metric_scores"):
        assert getattr(other, name).equals(getattr(base, name)), name


def test_formats_parquet_and_xlsx_give_the_same_result(mini_paths, tmp_path):
    base = run(mini_paths, None).edition
    subs = pl.read_csv(mini_paths["submissions"], infer_schema=False)
    subs.write_parquet(tmp_path / "s.parquet")
    subs.write_excel(tmp_path / "s.xlsx")
    for path in (tmp_path / "s.parquet", tmp_path / "s.xlsx"):
        paths = {**mini_paths, "submissions": path}
        assert run(paths, None).edition.overall.equals(base.overall), path.suffix
