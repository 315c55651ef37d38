"""``impactrank uncertainty``, ``whatif`` and ``advise`` through Typer, on the mini case."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import impactrank.cli.analysis  # noqa: F401 (registers the commands)
from impactrank.cli.common import app
from impactrank.errors import InputError
from impactrank.io.build import build
from impactrank.io.workspace import Workspace

runner = CliRunner()


@pytest.fixture
def built(tmp_path, mini_paths):
    ws = tmp_path / "ws.duckdb"
    build(mini_paths["institutions"], mini_paths["submissions"], methodology=mini_paths["methodology"], workspace=ws)
    inputs = [
        "-i",
        str(mini_paths["institutions"]),
        "-s",
        str(mini_paths["submissions"]),
        "-m",
        str(mini_paths["methodology"]),
    ]
    return ws, inputs


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result


def test_uncertainty_stores_the_table_and_writes_identical_files(built, tmp_path):
    ws, inputs = built
    config = tmp_path / "u.yaml"
    config.write_text("inputs:\n  normalisation: {options: [nominal, zscore_cdf]}\n", encoding="utf-8")
    outputs = []
    for name in ("one", "two"):
        result = invoke(
            "uncertainty",
            "-e",
            "2021",
            "-w",
            str(ws),
            *inputs,
            "--runs",
            "300",
            "--seed",
            "7",
            "--config",
            str(config),
            "--out",
            str(tmp_path / name),
        )
        outputs.append({f.name: f.read_bytes() for f in sorted((tmp_path / name).iterdir())})
    assert outputs[0] == outputs[1]
    assert sorted(outputs[0]) == ["rank_uncertainty.csv", "sobol.csv", "uncertainty.json"]
    assert "B: 2 (2–3)" in result.output and "C: 3 (2–3)" in result.output
    with Workspace(ws, read_only=True) as w:
        ed = w.load("2021")
    t = ed.rank_uncertainty
    assert t.height == 23 and set(t["runs"].to_list()) == {300}  # 1 input: 100 blocks of 3 runs
    b = t.filter((pl.col("table") == "overall") & (pl.col("institution_id") == "B")).row(0, named=True)
    assert b["nominal_rank"] == 2 and (b["rank_p05"], b["rank_p95"]) == (2.0, 3.0)
    assert set(json.loads(b["band_probabilities"])) == {"1–2", "3–4"}
    assert ed.manifest["uncertainty"]["seed"] == 7
    assert ed.manifest["uncertainty"]["sobol"][0]["input"] == "normalisation"
    summary = json.loads(outputs[0]["uncertainty.json"])
    assert summary["runs"] == 300 and summary["design"] == "saltelli"


def test_uncertainty_uses_the_inputs_the_workspace_keeps_or_the_same_files(built, tmp_path, mini_paths):
    ws, inputs = built
    config = tmp_path / "u.yaml"
    config.write_text("inputs:\n  normalisation: {options: [nominal, zscore_cdf]}\n", encoding="utf-8")
    runs = ["--runs", "300", "--seed", "7", "--config", str(config)]
    invoke("uncertainty", "-e", "2021", "-w", str(ws), *runs, "--out", str(tmp_path / "stored"))
    invoke("uncertainty", "-e", "2021", "-w", str(ws), *inputs, *runs, "--out", str(tmp_path / "files"))
    for name in ("rank_uncertainty.csv", "sobol.csv", "uncertainty.json"):
        assert (tmp_path / "stored" / name).read_bytes() == (tmp_path / "files" / name).read_bytes()
    with pytest.raises(InputError, match=r"mini_institutions\.csv") as info:
        runner.invoke(
            app,
            ["uncertainty", "-e", "2021", "-w", str(ws), "-s", str(mini_paths["submissions"])],
            catch_exceptions=False,
        )
    assert info.value.field == "institutions"
    other = tmp_path / "subs.csv"
    other.write_bytes(mini_paths["submissions"].read_bytes().replace(b"A,3,pubs,50", b"A,3,pubs,51"))
    with pytest.raises(InputError, match="not the inputs edition 2021 was built from"):
        runner.invoke(
            app,
            [
                "uncertainty",
                "-e",
                "2021",
                "-w",
                str(ws),
                "-i",
                str(mini_paths["institutions"]),
                "-s",
                str(other),
                "-m",
                str(mini_paths["methodology"]),
            ],
            catch_exceptions=False,
        )


def test_bad_config_names_file_and_field(built, tmp_path):
    ws, inputs = built
    config = tmp_path / "bad.yaml"
    config.write_text("inputs:\n  scaling: {options: [minmax, cubic]}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        runner.invoke(
            app, ["uncertainty", "-e", "2021", "-w", str(ws), *inputs, "--config", str(config)], catch_exceptions=False
        )
    assert info.value.file == "bad.yaml" and info.value.field == "inputs.scaling"
    assert "unknown SDG-score scaling method 'cubic'" in str(info.value)
    config.write_text("inputs:\n  weights: {spread: 2}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        runner.invoke(
            app, ["uncertainty", "-e", "2021", "-w", str(ws), *inputs, "--config", str(config)], catch_exceptions=False
        )
    assert info.value.field == "inputs.weights.spread"


def test_example_config_is_valid():
    from impactrank.io.uncertainty_config import load_uncertainty_config

    config = load_uncertainty_config(Path(__file__).resolve().parents[2] / "examples" / "uncertainty.yaml")
    spec = config.to_spec()
    assert spec.inputs == ["weights", "overall_weights", "normalisation", "evidence", "missing", "scaling"]
    assert config.inputs.published_scores is not None


def test_whatif_shows_before_and_after(built):
    ws, inputs = built
    result = invoke(
        "whatif",
        "-e",
        "2021",
        "-w",
        str(ws),
        *inputs,
        "--institution",
        "D",
        "--set",
        "2.waste=5",
        "--set",
        "17.reports=1",
    )
    text = " ".join(result.output.split())
    assert "overall score │ 12.28 │ 51.18" in text
    assert "rank │ 3–4 │ 2" in text
    assert "2 other institutions change overall rank position" in text
    # the same answer as rows, for a script
    args = ("whatif", "-e", "2021", "-w", str(ws), *inputs, "--institution", "D", "--set", "2.waste=5")
    answer = json.loads(invoke(*args, "--set", "17.reports=1", "-f", "json").output)
    sides = {r["side"]: r for r in answer["overall"]}
    assert (round(sides["before"]["overall_score"], 2), round(sides["after"]["overall_score"], 2)) == (12.28, 51.18)
    assert (sides["before"]["rank"], sides["after"]["rank"]) == ("3–4", "2") and answer["others_moved"] == 2
    assert {(m["sdg"], m["metric"]) for m in answer["metrics"]} == {(2, "waste"), (17, "reports")}


def test_advise_lists_sdgs_gap_and_gains(built):
    ws, inputs = built
    result = invoke("advise", "-e", "2021", "-w", str(ws), *inputs, "--institution", "C")
    text = " ".join(result.output.split())
    assert "Submit SDGs 17, 4, 1, 3 for the best overall score, 37.00" in text
    assert "0.55 overall points more reach 1–2 (position 2)" in text
    assert "+11.000" in text


def test_imported_edition_varies_published_ranges(built, tmp_path):
    ws, _ = built
    with Workspace(ws) as w:
        ed = w.load("2021")
        overall = ed.overall.with_columns(
            overall_low=pl.when(pl.col("institution_id").is_in(["C", "D"])).then(10.0).otherwise("overall_low"),
            overall_high=pl.when(pl.col("institution_id").is_in(["C", "D"])).then(30.0).otherwise("overall_high"),
        )
        w.save(replace(ed, id="2021-pub", kind="imported", source="test", overall=overall))
    invoke("uncertainty", "-e", "2021-pub", "-w", str(ws), "--runs", "500", "--seed", "3")
    with Workspace(ws, read_only=True) as w:
        t = w.load("2021-pub").rank_uncertainty.filter(pl.col("table") == "overall")
    rows = {r["institution_id"]: (r["rank_p05"], r["rank_p95"]) for r in t.iter_rows(named=True)}
    assert rows == {"A": (1.0, 1.0), "B": (2.0, 2.0), "C": (3.0, 4.0), "D": (3.0, 4.0)}


def test_uncertainty_when_nobody_is_eligible_for_the_overall_table(tmp_path, mini_paths):
    (tmp_path / "i.csv").write_text("institution_id,name,country\nA,Alpha,FR\nB,Beta,DE\n")
    (tmp_path / "s.csv").write_text(
        "institution_id,sdg,metric,value,exists,evidence,public,recent\nA,17,reports,,1,1,1,1\nB,1,pubs,5,,,,\nA,1,pubs,3,,,,\n"
    )
    ws = tmp_path / "ws.duckdb"
    build(tmp_path / "i.csv", tmp_path / "s.csv", methodology=mini_paths["methodology"], workspace=ws)
    invoke("uncertainty", "-e", "2021", "-w", str(ws), "--runs", "20", "--seed", "1")
    with Workspace(ws, read_only=True) as w:
        tables = w.load("2021").rank_uncertainty["table"].unique().sort().to_list()
    assert tables == ["sdg1", "sdg17"]  # the empty overall table has no ranks to simulate


def test_uncertainty_whose_files_cannot_be_written_stores_nothing(built, tmp_path, monkeypatch):
    """The files are written before the workspace's rows are committed: a disk that refuses them (here full)
    leaves the edition as it was."""
    import errno

    from impactrank.cli import analysis

    def full(out, *args):
        raise OSError(errno.ENOSPC, "No space left on device", str(out))

    monkeypatch.setattr(analysis, "write_uncertainty_outputs", full)
    ws, inputs = built
    args = ("uncertainty", "-e", "2021", "-w", str(ws), *inputs, "--runs", "30", "--out", str(tmp_path / "u"))
    result = runner.invoke(app, list(args))
    assert isinstance(result.exception, OSError) and result.exception.errno == errno.ENOSPC
    with Workspace(ws, read_only=True) as w:
        assert w.load("2021").rank_uncertainty.height == 0


def test_counts_out_of_range_are_refused(built):
    ws, inputs = built
    for args in (
        ["advise", "-e", "2021", "-w", str(ws), "--institution", "B", "--top", "0"],
        ["uncertainty", "-e", "2021", "-w", str(ws), *inputs, "--threads", "-2"],
        ["uncertainty", "-e", "2021", "-w", str(ws), *inputs, "--workers", "0"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "Invalid value" in result.output, (args, result.output)
