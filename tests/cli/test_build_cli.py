"""Bad input through the real command: one clear line naming file, row and field; exit 2; no traceback;
nothing written to --out or the workspace."""

import subprocess
import sys
from pathlib import Path

import pytest

INST = "institution_id,name,country\nA,Alpha,FR\nB,Beta,DE\n"
SUBS = "institution_id,sdg,metric,value,numerator,denominator\nA,1,pubs,10,,\nB,1,pubs,20,,\n"


def impactrank(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from impactrank.cli import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def build(tmp_path: Path, mini_paths, inst: str | bytes = INST, subs: str | bytes = SUBS, methodology=None):
    for name, content in (("institutions.csv", inst), ("submissions.csv", subs)):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return impactrank(
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
    assert result.returncode == 2, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    for fragment in fragments:
        assert fragment in message, message
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "ws.duckdb").exists()


def test_valid_input_builds(tmp_path, mini_paths):
    result = build(tmp_path, mini_paths)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "overall.csv").exists()


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
        assert result.returncode == 0, result.stderr
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
    result = impactrank("methodology", "validate", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "sum to 105" in result.stderr


def test_methodology_validate_and_show(tmp_path, mini_paths):
    ok = impactrank("methodology", "validate", str(mini_paths["methodology"]), cwd=tmp_path)
    assert ok.returncode == 0 and "valid" in ok.stdout and "5 SDGs" in ok.stdout
    shown = impactrank("methodology", "show", "the-2021", cwd=tmp_path)
    assert shown.returncode == 0
    text = " ".join(shown.stdout.split())
    assert "SDG 17" in text and "22%" in text and "1001+" in text


def test_explain_shows_the_formula(tmp_path, mini_paths):
    inst, subs = mini_paths["institutions"].read_text(), mini_paths["submissions"].read_text()
    assert build(tmp_path, mini_paths, inst, subs).returncode == 0
    result = impactrank("explain", "--workspace", "ws.duckdb", "--edition", "2021", "--institution", "A", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "Overall = 0.22 × 100.00 (SDG 17)" in text
    missing = impactrank("explain", "--workspace", "ws.duckdb", "--edition", "2019", "--institution", "A", cwd=tmp_path)
    assert missing.returncode == 2 and "no edition '2019'" in missing.stderr


def test_unwritable_places_are_one_line_errors_and_leave_no_output(tmp_path, mini_paths):
    inst, subs = mini_paths["institutions"].read_text(), mini_paths["submissions"].read_text()
    (tmp_path / "institutions.csv").write_text(inst)
    (tmp_path / "submissions.csv").write_text(subs)
    common = ["build", "-i", "institutions.csv", "-s", "submissions.csv", "-m", str(mini_paths["methodology"])]
    # a workspace that is not a DuckDB file stops the build before anything is written
    (tmp_path / "not-a-workspace.csv").write_text("a,b\n1,2\n")
    result = impactrank(*common, "--out", "out", "--workspace", "not-a-workspace.csv", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "not an impactrank workspace" in result.stderr
    assert not (tmp_path / "out").exists()
    # --out naming an existing file
    result = impactrank(*common, "--out", "institutions.csv", "--workspace", "ws.duckdb", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "institutions.csv" in result.stderr
    # a directory given as an input file
    (tmp_path / "dir").mkdir()
    result = impactrank("build", "-i", "dir", "-s", "submissions.csv", "--out", "o", cwd=tmp_path)
    assert result.returncode == 2 and "is a directory" in result.stderr


def test_outputs_are_readable_by_others(tmp_path, mini_paths):
    inst, subs = mini_paths["institutions"].read_text(), mini_paths["submissions"].read_text()
    assert build(tmp_path, mini_paths, inst, subs).returncode == 0
    for path in (tmp_path / "out").iterdir():
        assert path.stat().st_mode & 0o044 == 0o044, path.name  # group and others may read (umask 022)


def test_a_value_given_in_two_submissions_files(tmp_path, mini_paths):
    (tmp_path / "institutions.csv").write_text(INST)
    (tmp_path / "a.csv").write_text(SUBS)
    (tmp_path / "b.csv").write_text("institution_id,sdg,metric,value\nB,1,pubs,7\n")
    result = impactrank(
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
        result = impactrank(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr and "Usage: impactrank" in result.stderr, args


def test_markup_in_data_is_shown_as_text(tmp_path, mini_paths):
    inst = INST.replace("B,Beta,DE", "B,[red]Beta[/red] [/x],DE")
    assert build(tmp_path, mini_paths, inst, SUBS).returncode == 0
    shown = impactrank("view", "sdg", "1", "--edition", "2021", "--workspace", "ws.duckdb", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "[red]Beta[/red] [/x]" in shown.stdout
    (tmp_path / "subs2.csv").write_text("institution_id,sdg,metric,value\n[/x],1,pubs,1\n")
    bad = impactrank(
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
    assert bad.returncode == 2 and "unknown institution '[/x]'" in bad.stderr


def test_build_outputs_neutralise_spreadsheet_formulas(tmp_path, mini_paths):
    inst = mini_paths["institutions"].read_text().replace("Alpha University", '"=HYPERLINK(""http://x"")"')
    assert build(tmp_path, mini_paths, inst, mini_paths["submissions"].read_text()).returncode == 0
    overall = (tmp_path / "out" / "overall.csv").read_text()
    assert "'=HYPERLINK" in overall and ",=HYPERLINK" not in overall


def test_compare_needs_two_editions(tmp_path, mini_paths):
    assert build(tmp_path, mini_paths).returncode == 0
    result = impactrank("compare", "--from", "2021", "--to", "2021", "--workspace", "ws.duckdb", cwd=tmp_path)
    assert result.returncode == 2 and "name the same edition" in result.stderr


def test_explain_an_imported_row_shows_what_was_published(tmp_path):
    import polars as pl

    from impactrank.engine.edition import Edition
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
    result = impactrank("explain", "-e", "2023", "--institution", "x", "-w", "ws.duckdb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "published as 82.2–88.2" in text and "SDG 5 score 77.4000" in text
    assert "SDG 17 published as 81.9–86.9" in text and "carries no metric scores" in text
