"""Bad input through the real command (in this process; one test runs the installed entry point): one clear
line naming file, row and field; exit 2; no traceback; nothing written to --out or the workspace."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inprocess import run_cli

INST = "institution_id,name,country\nA,Alpha,FR\nB,Beta,DE\n"
SUBS = "institution_id,sdg,metric,value,numerator,denominator\nA,1,pubs,10,,\nB,1,pubs,20,,\n"


def build(tmp_path: Path, mini_paths, inst: str | bytes = INST, subs: str | bytes = SUBS, methodology=None):
    for name, content in (("institutions.csv", inst), ("submissions.csv", subs)):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return run_cli(
        "build",
        "--institutions",
        "institutions.csv",
        "--submissions",
        "submissions.csv",
        "--out",
        "out",
        "--methodology",
        str(methodology or mini_paths["methodology"]),
        "--workspace",
        "ws.duckdb",
        cwd=tmp_path,
    )


def assert_user_error(result, *fragments, tmp_path):
    assert result.code == 2, result.err + result.out
    assert "Traceback" not in result.err
    message = " ".join(result.err.split())
    for fragment in fragments:
        assert fragment in message, message
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "ws.duckdb").exists()


def test_valid_input_builds(tmp_path, mini_paths):
    result = build(tmp_path, mini_paths)
    assert result.code == 0, result.err
    assert (tmp_path / "out" / "overall.csv").exists()


def test_a_number_the_file_cannot_read_alone_gets_advice_that_works(tmp_path, mini_paths):
    """ "8,046" is 8.046 or 8046: the error offers both readings, and each option it names reads the number so."""
    subs = SUBS.replace("A,1,pubs,10", 'A,1,pubs,"8,046"')
    told = build(tmp_path, mini_paths, subs=subs)
    advice = "give --decimal , to read it as '8.046' or --decimal . to read it as '8046'"
    assert_user_error(told, "submissions.csv", "row 2", "'value'", advice, tmp_path=tmp_path)
    for mark, value in ((".", 8046.0), (",", 8.046)):
        args = ("--institutions", "institutions.csv", "--submissions", "submissions.csv", "--out", f"out{mark}")
        done = run_cli("build", *args, "--methodology", mini_paths["methodology"], "--decimal", mark, cwd=tmp_path)
        assert done.code == 0, done.err
        rows = (tmp_path / f"out{mark}" / "metric_scores.csv").read_text().splitlines()
        header = rows[0].split(",")
        a_pubs = next(r.split(",") for r in rows if r.startswith("A,1,pubs,"))
        assert float(a_pubs[header.index("raw")]) == value


@pytest.mark.parametrize(
    ("inst", "subs", "fragments"),
    [
        (
            INST + "A,Again,FR\n",
            SUBS,
            ["institutions.csv", "row 4", "institution_id", "duplicate", "first on row 2"],
        ),
        (INST, SUBS + "A,18,pubs,1,,\n", ["submissions.csv", "row 4", "'sdg'", "unknown SDG 18"]),
        (
            INST,
            SUBS + "A,1,citations,1,,\n",
            ["submissions.csv", "row 4", "'metric'", "unknown metric 'citations'"],
        ),
        (INST, SUBS.replace("A,1,pubs,10", "A,1,pubs,ten"), ["row 2", "'value'", "'ten' is not a number"]),
        (INST, SUBS + "A,2,share,,3,0\n", ["row 4", "'denominator'", "must be positive"]),
        (INST, SUBS + "A,2,share,,3,-5\n", ["row 4", "'denominator'", "must be positive"]),
        (INST, SUBS + "A,3,pubs,-2,,\n", ["row 4", "'value'", "cannot be negative"]),
        (
            INST.replace("B,Beta,DE", "B,Beta,Atlantis"),
            SUBS,
            ["institutions.csv", "row 3", "'country'", "Atlantis"],
        ),
        (INST, SUBS + "Z,1,pubs,1,,\n", ["row 4", "'institution_id'", "unknown institution 'Z'"]),
        ("", SUBS, ["institutions.csv", "empty"]),
        (INST, "institution_id,sdg,metric\n", ["submissions.csv", "no data rows"]),
        ("institution_id,name\nA,Alpha\n", SUBS, ["institutions.csv", "missing column country"]),
        (INST, "institution_id,metric,value\nA,pubs,1\n", ["submissions.csv", "missing column sdg"]),
        (
            INST.encode() + "C,Caf\xe9 Polytechnic,FR\n".encode("latin-1"),
            SUBS,
            ["institutions.csv", "row 4", "not UTF-8"],
        ),
        (INST, SUBS + "A,1,pubs,5,,\n", ["row 4", "A / SDG 1 / pubs appears twice"]),
        (
            INST,
            SUBS.replace("numerator,denominator", "numerator,denominator,exists") + "A,1,policy,,,,\n",
            None,
        ),
    ],
    ids=[
        "duplicate-id",
        "unknown-sdg",
        "unknown-metric",
        "non-numeric",
        "zero-denominator",
        "negative-denominator",
        "negative-value",
        "unknown-country",
        "unknown-institution",
        "empty-file",
        "header-only",
        "missing-column-inst",
        "missing-column-subs",
        "wrong-encoding",
        "duplicate-submission",
        "evidence-row-without-answers",
    ],
)
def test_bad_input(tmp_path, mini_paths, inst, subs, fragments):
    result = build(tmp_path, mini_paths, inst, subs)
    if fragments is None:  # an evidence row with no answers is a missing value, which is allowed and counted
        assert result.code == 0, result.err
        return
    assert_user_error(result, *fragments, tmp_path=tmp_path)


def test_rubric_answer_out_of_range(tmp_path, mini_paths):
    subs = "institution_id,sdg,metric,exists,evidence,public,recent\nA,1,policy,1,2,0,0\n"
    assert_user_error(
        build(tmp_path, mini_paths, INST, subs), "row 2", "'evidence'", "between 0 and 1", tmp_path=tmp_path
    )


def test_methodology_weights_must_sum_to_100(tmp_path, mini_paths):
    bad = mini_paths["methodology"].read_text().replace("weight: 60", "weight: 65")
    (tmp_path / "bad.yaml").write_text(bad)
    result = build(tmp_path, mini_paths, methodology=tmp_path / "bad.yaml")
    assert_user_error(result, "bad.yaml", "SDG 1", "sum to 105", tmp_path=tmp_path)
    result = run_cli("methodology", "validate", "bad.yaml", cwd=tmp_path)
    assert result.code == 2 and "sum to 105" in result.err


def test_methodology_validate_and_show(tmp_path, mini_paths):
    ok = run_cli("methodology", "validate", str(mini_paths["methodology"]), cwd=tmp_path)
    assert ok.code == 0 and "valid" in ok.out and "5 SDGs" in ok.out
    shown = run_cli("methodology", "show", "the-2021", cwd=tmp_path)
    assert shown.code == 0
    text = " ".join(shown.out.split())
    assert "SDG 17" in text and "22%" in text and "1001+" in text


def test_explain_shows_the_formula(tmp_path, mini_paths):
    inst, subs = mini_paths["institutions"].read_text(), mini_paths["submissions"].read_text()
    assert build(tmp_path, mini_paths, inst, subs).code == 0
    result = run_cli("explain", "--workspace", "ws.duckdb", "--edition", "2021", "--institution", "A", cwd=tmp_path)
    assert result.code == 0, result.err
    text = " ".join(result.out.split())
    assert "Overall = 0.22 × 100.00 (SDG 17)" in text
    missing = run_cli("explain", "--workspace", "ws.duckdb", "--edition", "2019", "--institution", "A", cwd=tmp_path)
    assert missing.code == 2 and "no edition '2019'" in missing.err


def test_unwritable_places_are_one_line_errors_and_leave_no_output(tmp_path, mini_paths):
    inst, subs = mini_paths["institutions"].read_text(), mini_paths["submissions"].read_text()
    (tmp_path / "institutions.csv").write_text(inst)
    (tmp_path / "submissions.csv").write_text(subs)
    common = ["build", "-i", "institutions.csv", "-s", "submissions.csv", "-m", str(mini_paths["methodology"])]
    # a workspace that is not a DuckDB file stops the build before anything is written
    (tmp_path / "not-a-workspace.csv").write_text("a,b\n1,2\n")
    result = run_cli(*common, "--out", "out", "--workspace", "not-a-workspace.csv", cwd=tmp_path)
    assert result.code == 2 and "Traceback" not in result.err
    assert "not an impactrank workspace" in result.err
    assert not (tmp_path / "out").exists()
    # --out naming an existing file
    result = run_cli(*common, "--out", "institutions.csv", "--workspace", "ws.duckdb", cwd=tmp_path)
    assert result.code == 2 and "Traceback" not in result.err
    assert "institutions.csv" in result.err
    assert not (tmp_path / "ws.duckdb").exists()  # the workspace the failed build made goes with it
    # a directory given as an input file
    (tmp_path / "dir").mkdir()
    result = run_cli("build", "-i", "dir", "-s", "submissions.csv", "--out", "o", cwd=tmp_path)
    assert result.code == 2 and "is a directory" in result.err


def test_outputs_are_readable_by_others(tmp_path, mini_paths):
    inst, subs = mini_paths["institutions"].read_text(), mini_paths["submissions"].read_text()
    assert build(tmp_path, mini_paths, inst, subs).code == 0
    for path in (tmp_path / "out").iterdir():
        assert path.stat().st_mode & 0o044 == 0o044, path.name  # group and others may read (umask 022)


def test_a_value_given_in_two_submissions_files(tmp_path, mini_paths):
    (tmp_path / "institutions.csv").write_text(INST)
    (tmp_path / "a.csv").write_text(SUBS)
    (tmp_path / "b.csv").write_text("institution_id,sdg,metric,value\nB,1,pubs,7\n")
    result = run_cli(
        "build",
        "-i",
        "institutions.csv",
        "-s",
        "a.csv",
        "-s",
        "b.csv",
        "--out",
        "out",
        "-m",
        str(mini_paths["methodology"]),
        "--workspace",
        "ws.duckdb",
        cwd=tmp_path,
    )
    assert_user_error(result, "a.csv, b.csv", "B / SDG 1 / pubs is given in more than one file", tmp_path=tmp_path)


def test_usage_errors_exit_2_without_a_traceback(tmp_path):
    for args in (("view", "overall"), ("build", "--bogus"), ("uncertainty", "--edition", "2021", "--runs", "abc")):
        result = run_cli(*args, cwd=tmp_path)
        assert result.code == 2, args
        assert "Traceback" not in result.err and "Usage: impactrank" in result.err, args


def test_the_installed_command(tmp_path, mini_paths):
    """The console script the package installs, in a process of its own: a build, then a user error."""
    command = Path(sys.executable).parent / "impactrank"
    args = ["build", "-i", str(mini_paths["institutions"]), "-s", str(mini_paths["submissions"])]
    args += ["-m", str(mini_paths["methodology"]), "-w", "ws.duckdb"]
    done = subprocess.run([command, *args, "--out", "out"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and (tmp_path / "out" / "overall.csv").is_file(), done.stderr
    bad = subprocess.run([command, *args, "--out", "o.csv"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.startswith("error: --out o.csv") and "Traceback" not in bad.stderr


def test_markup_in_data_is_shown_as_text(tmp_path, mini_paths):
    inst = INST.replace("B,Beta,DE", "B,[red]Beta[/red] [/x],DE")
    assert build(tmp_path, mini_paths, inst, SUBS).code == 0
    shown = run_cli("view", "sdg", "1", "--edition", "2021", "--workspace", "ws.duckdb", cwd=tmp_path)
    assert shown.code == 0, shown.err
    assert "[red]Beta[/red] [/x]" in shown.out
    (tmp_path / "subs2.csv").write_text("institution_id,sdg,metric,value\n[/x],1,pubs,1\n")
    bad = run_cli(
        "build",
        "-i",
        "institutions.csv",
        "-s",
        "subs2.csv",
        "--out",
        "o2",
        "-m",
        str(mini_paths["methodology"]),
        cwd=tmp_path,
    )
    assert bad.code == 2 and "unknown institution '[/x]'" in bad.err


def test_build_outputs_neutralise_spreadsheet_formulas(tmp_path, mini_paths):
    inst = mini_paths["institutions"].read_text().replace("Alpha University", '"=HYPERLINK(""http://x"")"')
    assert build(tmp_path, mini_paths, inst, mini_paths["submissions"].read_text()).code == 0
    overall = (tmp_path / "out" / "overall.csv").read_text()
    assert "'=HYPERLINK" in overall and ",=HYPERLINK" not in overall


def test_compare_needs_two_editions(tmp_path, mini_paths):
    assert build(tmp_path, mini_paths).code == 0
    result = run_cli("compare", "--from", "2021", "--to", "2021", "--workspace", "ws.duckdb", cwd=tmp_path)
    assert result.code == 2 and "name the same edition" in result.err


def test_explain_an_imported_row_shows_what_was_published(tmp_path):
    import polars as pl

    from impactrank.engine.tables.edition import Edition
    from impactrank.io.workspace import Workspace

    edition = Edition(
        id="2023",
        year=2023,
        kind="imported",
        source="test.csv (clean-csv)",
        institutions=pl.DataFrame({"institution_id": ["x"], "name": ["X University"], "country": ["FR"]}),
        overall=pl.DataFrame(
            {
                "institution_id": ["x"],
                "rank": ["101–200"],
                "rank_position": [101],
                "rank_low": [101],
                "rank_high": [200],
                "band": ["101–200"],
                "overall_low": [82.2],
                "overall_high": [88.2],
                "overall_display": ["82.2–88.2"],
                "top_sdgs": ["5;7"],
            }
        ),
        sdg_scores=pl.DataFrame(
            {
                "institution_id": ["x", "x"],
                "sdg": [5, 17],
                "score": [77.4, None],
                "score_low": [77.4, 81.9],
                "score_high": [77.4, 86.9],
                "counted": [True, True],
            }
        ),
    )
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.save(edition)
    result = run_cli("explain", "-e", "2023", "--institution", "x", "-w", "ws.duckdb", cwd=tmp_path)
    assert result.code == 0, result.err
    text = " ".join(result.out.split())
    assert "published as 82.2–88.2" in text and "SDG 5 score 77.4 " in text and "77.40" not in text
    assert "SDG 17 published as 81.9–86.9" in text and "carries no metric scores" in text


def build_year(tmp_path, evidence_pair, year, *extra, out=None):
    """Build one year of the hand-computed pair (tests/conftest.py) with that year's bundled THE methodology."""
    inst, subs = evidence_pair[year]
    return run_cli(
        "build", "-i", str(inst), "-s", str(subs), "--out", out or f"out{year}", "-m", f"the-{year}",
        "--workspace", "ws.duckdb", *extra, cwd=tmp_path,
    )  # fmt: skip


def read_csv(path) -> dict[str, dict[str, str]]:
    import csv

    with open(path, encoding="utf-8") as fh:
        return {row["institution_id"]: row for row in csv.DictReader(fh)}


def test_build_averages_with_the_previous_year_of_the_workspace(tmp_path, evidence_pair):
    assert build_year(tmp_path, evidence_pair, 2022).code == 0
    result = build_year(tmp_path, evidence_pair, 2023)
    assert result.code == 0, result.err
    text = " ".join(result.out.split())
    assert "averaged with the single-year scores of edition 2022 from ws.duckdb: 2 institutions averaged; 1 new" in text
    last, this = read_csv(tmp_path / "out2022" / "overall.csv"), read_csv(tmp_path / "out2023" / "overall.csv")
    assert "single_year_score" not in next(iter(last.values()))  # a single-year edition's table stays as it was
    for iid, row in this.items():
        single = float(row["single_year_score"])
        expected = (single + float(last[iid]["overall_score"])) / 2 if iid in last else single
        assert float(row["overall_score"]) == pytest.approx(expected), iid
    assert [this[i]["overall_display"] for i in "ABN"] == ["74.0", "52.0", "37.0"]
    manifest = json.loads((tmp_path / "out2023" / "manifest.json").read_text())
    (previous,) = manifest["previous_editions"]
    assert (previous["edition"], previous["lag"], previous["institutions"]) == ("2022", 1, 3)
    assert len(previous["single_year_sha256"]) == 64
    # the same inputs give the same bytes
    assert build_year(tmp_path, evidence_pair, 2023, out="again").code == 0
    for name in ("overall.csv", "sdg_scores.csv", "metric_scores.csv", "manifest.json"):
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "out2023" / name).read_bytes(), name
    explained = run_cli("explain", "-w", "ws.duckdb", "-e", "2023", "--institution", "B", cwd=tmp_path)
    assert "published = 0.5 × 65.0 (this edition) + 0.5 × 39.0 (edition 2022) = 52.0" in " ".join(explained.out.split())


def test_previous_edition_by_series_or_named(tmp_path, evidence_pair):
    assert build_year(tmp_path, evidence_pair, 2022, "--edition", "2022-net").code == 0
    series = build_year(tmp_path, evidence_pair, 2023, "--edition", "2023-net")
    assert series.code == 0, series.err
    assert "edition 2022-net from ws.duckdb" in " ".join(series.out.split())
    named = build_year(tmp_path, evidence_pair, 2023, "--edition", "net-b", "--previous-edition", "2022-net", out="b")
    assert named.code == 0, named.err
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["previous_editions"][0]["edition"] == "2022-net"
    assert (tmp_path / "b" / "overall.csv").read_bytes() == (tmp_path / "out2023" / "overall.csv").read_bytes()


def assert_one_line_and_nothing_written(result, fragment, tmp_path, editions_before):
    from impactrank.io.workspace import Workspace

    assert result.code == 2, result.out
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1, result.err
    assert fragment in result.err
    assert not (tmp_path / "out2023").exists()
    if editions_before is None:
        assert not (tmp_path / "ws.duckdb").exists()
        return
    with Workspace(tmp_path / "ws.duckdb", read_only=True) as ws:
        assert ws.editions()["edition"].to_list() == editions_before


def test_missing_previous_edition_stops_the_build(tmp_path, evidence_pair):
    result = build_year(tmp_path, evidence_pair, 2023)
    assert_one_line_and_nothing_written(result, "previous edition 2022, which needs a workspace", tmp_path, None)
    assert build_year(tmp_path, evidence_pair, 2022, "--edition", "2022-net").code == 0
    result = build_year(tmp_path, evidence_pair, 2023)
    assert_one_line_and_nothing_written(result, "no edition '2022' in workspace ws.duckdb", tmp_path, ["2022-net"])
    result = build_year(tmp_path, evidence_pair, 2023, "--previous-edition", "2021")
    assert_one_line_and_nothing_written(result, "no edition '2021'", tmp_path, ["2022-net"])
    result = build_year(tmp_path, evidence_pair, 2023, "--edition", "network")
    assert_one_line_and_nothing_written(result, "does not start with a year", tmp_path, ["2022-net"])
    result = build_year(tmp_path, evidence_pair, 2022, "--previous-edition", "2022-net", out="out2023")
    assert_one_line_and_nothing_written(result, "the-2022 does not average", tmp_path, ["2022-net"])


def test_a_published_table_is_no_previous_edition(tmp_path, evidence_pair):
    """An imported table shows bands, not exact single-year scores: the average cannot be taken."""
    import polars as pl

    from impactrank.engine.tables.edition import Edition
    from impactrank.io.workspace import Workspace

    published = Edition(
        id="2022",
        year=2022,
        kind="imported",
        source="the-2022.csv (clean-csv)",
        institutions=pl.DataFrame({"institution_id": ["A", "B"], "name": ["A University", "B"], "country": ["FR"] * 2}),
        overall=pl.DataFrame({"institution_id": ["A", "B"], "rank": ["1", "101–200"], "overall_score": [87.0, None]}),
        sdg_scores=pl.DataFrame(schema={"institution_id": pl.String, "sdg": pl.Int64}),
    )
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.save(published)
    result = build_year(tmp_path, evidence_pair, 2023)
    assert_one_line_and_nothing_written(result, "no exact single-year score for 2 of 2 rows", tmp_path, ["2022"])


ALLOCATOR = (
    "import os, sys; sys.argv = ['impactrank', *sys.argv[1:]]; import impactrank.cli; "
    "print(os.environ.get('_RJEM_MALLOC_CONF'))"
)


@pytest.mark.parametrize(
    ("args", "given", "build_setting"),
    [
        (["build"], None, True),  # unset: the build's own setting
        (["build"], "dirty_decay_ms:500,muzzy_decay_ms:1000", True),  # polars' default, passed on by a parent
        (["build"], "narenas:1", False),  # the user's own wins
        (["view", "overall"], None, False),  # other commands keep polars' defaults
    ],
)
def test_the_build_sets_polars_allocator_unless_the_user_did(args, given, build_setting):
    """Before polars loads: large blocks kept in the ordinary arenas and freed pages kept for a moment, so that a
    build's tables reuse memory instead of faulting in fresh pages (see cli/__init__.py). Polars puts its own
    defaults first when it loads; jemalloc takes the last value of each option."""
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if given is not None:
        env["_RJEM_MALLOC_CONF"] = given
    done = subprocess.run([sys.executable, "-c", ALLOCATOR, *args], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    options = dict(part.split(":") for part in done.stdout.strip().split(","))
    if build_setting:
        assert options["oversize_threshold"] == "0" and int(options["dirty_decay_ms"]) > 0, options
    else:
        assert "oversize_threshold" not in options, options
        assert options.get("narenas") == ("1" if given == "narenas:1" else None), options
