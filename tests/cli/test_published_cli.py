"""``impactrank import``, ``audit`` and ``institutions match`` on a small hand-made table, and bad files:
a clear one-line error, exit status 2 and the workspace left byte for byte as it was."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import impactrank.cli.published  # noqa: F401  (registers the commands)
from impactrank.cli import main
from impactrank.cli.common import app
from impactrank.io.workspace import Workspace

TABLE = """rank,name,country,overall,SDG17,SDG3,SDG5,SDG12,SDG15
1,Alpha University,France,90.0,80.0,90.0,100.0,,90.0
=2,Beta Institute,Taiwan,85.0,50.0,,80.0,85.0,100.0
=2,Gamma College,Türkiye,85.0,60.0,70.0,80.0,100.0,
4,Delta University,,70.0,40.0,70.0,,60.0,50.0
101–200,Epsilon University,Hong Kong,60.1–69.9,30.0–40.0,50.0,60.0–70.0,55.5,
101-200,Zeta School,Macao,60.1–69.9,30.0–40.0,45.0,,,
"""
RENAMED = TABLE.replace("Alpha University", "Alpha Univ.").replace("Gamma College", "Gamma College of Arts")


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "published.csv"
    path.write_text(TABLE, encoding="utf-8")
    return path


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_import_and_audit(tmp_path, table):
    ws = tmp_path / "ws.duckdb"
    res = run("import", str(table), "--edition", "2021", "-w", str(ws), "--report", str(tmp_path / "r.json"))
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["flags"] == {"no_country": 1, "sdg_pairs_incomplete": 1}
    assert report["sdg_tables"] == {"rows": 0, "flags": {}}  # a single table: no SDG tables beside it
    with Workspace(ws, read_only=True) as w:
        ed = w.load("2021")
    assert ed.kind == "imported" and ed.source == "published.csv (clean-csv)"
    assert ed.overall["rank"].to_list() == ["1", "=2", "=2", "4", "101–200", "101–200"]
    assert ed.overall["rank_high"].to_list() == [1, 2, 2, 4, 200, 200]
    assert ed.overall["overall_low"][4] == 60.1 and ed.overall["overall_score"][4] is None
    assert ed.institutions["country"].to_list() == ["FR", "TW", "TR", None, "HK", "MO"]
    assert ed.overall["quality"].to_list() == ["ok", "ok", "ok", "no_country", "ok", "sdg_pairs_incomplete"]

    out = tmp_path / "audit"
    res = run("audit", "--edition", "2021", "-w", str(ws), "--out", str(out))
    assert res.exit_code == 0, res.output
    first = (out / "audit-2021.json").read_bytes(), (out / "audit-2021.md").read_bytes()
    audit = json.loads(first[0])
    # Alpha: 0.22·80 + 0.26·(90 + 100 + 90) = 90.4 against a published 90.0
    displayed = next(m for m in audit["formula"]["models"] if m["model"] == "displayed")
    assert audit["formula"]["exact_rows"] == 4 and displayed["exact"]["n"] == 4
    assert audit["consistency"]["ties"] == {"tie_groups": 1, "tied_rows": 2, "problems": []}
    run("audit", "--edition", "2021", "-w", str(ws), "--out", str(out))
    assert ((out / "audit-2021.json").read_bytes(), (out / "audit-2021.md").read_bytes()) == first
    assert str(tmp_path) not in first[0].decode() + first[1].decode()


def test_match_proposes_renamed_institutions_and_aliases_join_them(tmp_path, table):
    ws = tmp_path / "ws.duckdb"
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(RENAMED, encoding="utf-8")
    assert run("import", str(table), "--edition", "2021", "-w", str(ws)).exit_code == 0
    assert run("import", str(renamed), "--edition", "2022", "-w", str(ws)).exit_code == 0
    aliases = tmp_path / "aliases.csv"
    res = run(
        "institutions",
        "match",
        "-e",
        "2021",
        "-e",
        "2022",
        "-w",
        str(ws),
        "--min-score",
        "70",
        "--out",
        str(aliases),
    )
    assert res.exit_code == 0, res.output
    lines = aliases.read_text().splitlines()
    assert lines[0].startswith("alias,institution_id,score")
    proposed = {line.split(",")[0]: line.split(",")[1] for line in lines[1:]}
    assert proposed == {"Alpha Univ.": "fr-alpha-university", "Gamma College of Arts": "tr-gamma-college"}
    # the two renamings in two files, --aliases given twice: both hold (a second file replaced the first)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("\n".join(lines[:2]) + "\n")
    second.write_text("\n".join([lines[0], lines[2]]) + "\n")
    both = ("--aliases", str(first), "--aliases", str(second))
    assert run("import", str(renamed), "--edition", "2022", "-w", str(ws), *both).exit_code == 0
    with Workspace(ws, read_only=True) as w:
        assert (
            w.load("2022").institutions["institution_id"].to_list()
            == w.load("2021").institutions["institution_id"].to_list()
        )


def test_import_lists_countries_to_check_and_applies_the_corrections_kept(tmp_path):
    misfiled = tmp_path / "misfiled.csv"
    misfiled.write_text(
        TABLE
        + "7,University of Lagos,Niger,50.0,40.0,70.0,60.0,50.0,\n"
        + "8,Covenant University,Niger,50.0,40.0,70.0,60.0,50.0,\n"
        + "9,Covenant University,Nigeria,50.0,40.0,70.0,60.0,50.0,\n",
        encoding="utf-8",
    )
    ws, fixes = tmp_path / "ws.duckdb", tmp_path / "fixes.csv"
    res = run("import", str(misfiled), "-e", "2021", "-w", str(ws), "--suggest-corrections", str(fixes))
    assert res.exit_code == 0, res.output
    assert "2 institutions whose country looks wrong" in res.output
    assert "Lagos is in Nigeria; 2 of the 2 institutions under Niger are in Nigeria" in res.output.replace("\n", " ")
    assert fixes.read_text(encoding="utf-8").splitlines()[:2] == [
        "edition,name,field,value,country,evidence",
        "2021,Covenant University,country,Nigeria,Niger,2 of the 2 institutions under Niger are in Nigeria",
    ]
    res = run("import", str(misfiled), "-e", "2021", "-w", str(ws), "--corrections", str(fixes))
    assert res.exit_code == 0, res.output
    assert "looks wrong" not in res.output and "country_corrected" in res.output
    with Workspace(ws, read_only=True) as w:
        countries = w.load("2021").institutions["country"].to_list()
    assert countries[-3:] == ["NG", "NG", "NG"]


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, list[str]]]:
    import xlsxwriter

    not_table = tmp_path / "people.csv"
    not_table.write_text("first,last,age\nAda,Lovelace,36\n", encoding="utf-8")
    truncated = tmp_path / "editions.json"
    truncated.write_text('{"records": [{"英文名": "A", "年度": 2021, "排名": 1, "Overall": 9', encoding="utf-8")
    no_header = tmp_path / "notes.xlsx"
    book = xlsxwriter.Workbook(str(no_header))
    sheet = book.add_worksheet("notes")
    for i, row in enumerate([["shopping", "list"], ["eggs", 12], ["milk", 2]]):
        sheet.write_row(i, 0, row)
    book.close()
    fake_xlsx = tmp_path / "fake.xlsx"
    fake_xlsx.write_text("this is not a zip", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text(TABLE, encoding="utf-8")

    def the_workbook(name: str, fifth: str, year: str) -> Path:
        book = xlsxwriter.Workbook(str(tmp_path / name))
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["Rank", "Year", "University", "Country", fifth, "Overall"])
        sheet.write_row(1, 0, ["1", year, "Alpha University", "France", "90.0", "-"])
        book.close()
        return tmp_path / name

    no_goal = the_workbook("no-goal.xlsx", "Banana split", "2021")
    bad_year = the_workbook("bad-year.xlsx", "Climate action", "MMXXI")
    cut = tmp_path / "cut.xlsx"
    whole = the_workbook("whole.xlsx", "Climate action", "2021").read_bytes()
    cut.write_bytes(whole[: len(whole) // 2])
    empty_folder = tmp_path / "empty-folder"
    empty_folder.mkdir()
    (empty_folder / "README.md").write_text("nothing here\n", encoding="utf-8")
    misspelt = tmp_path / "corrections.csv"
    misspelt.write_text("edition,name,field,value\n2021,Alpha Universty,country,Belgium\n", encoding="utf-8")
    return {
        "'Banana split' names no SDG": (no_goal, []),
        "'MMXXI' is not a year": (bad_year, []),
        "not a readable XLSX workbook": (cut, []),
        "nothing to import in folder": (empty_folder, []),
        "not a ranking table": (not_table, ["--edition", "2021"]),
        "truncated or invalid JSON": (truncated, []),
        "no recognisable header": (no_header, ["--edition", "2021"]),
        "not a readable XLSX": (fake_xlsx, ["--edition", "2021"]),
        "unknown format": (good, ["--edition", "2021", "--format", "ods"]),
        "no year column": (good, []),
        "either --edition or --edition-suffix": (good, ["--edition", "2021", "--edition-suffix", "x"]),
        "no row of edition 2021 is named 'Alpha Universty'": (
            good,
            ["--edition", "2021", "--corrections", str(misspelt)],
        ),
    }


BAD = [
    "'Banana split' names no SDG",
    "'MMXXI' is not a year",
    "not a readable XLSX workbook",
    "nothing to import in folder",
    "not a ranking table",
    "truncated or invalid JSON",
    "no recognisable header",
    "not a readable XLSX",
    "unknown format",
    "no year column",
    "either --edition or --edition-suffix",
    "no row of edition 2021 is named 'Alpha Universty'",
]


@pytest.mark.parametrize("message", BAD)
def test_bad_files_exit_2_and_leave_workspace_unchanged(tmp_path, table, monkeypatch, capsys, message):
    ws = tmp_path / "ws.duckdb"
    assert run("import", str(table), "--edition", "2020", "-w", str(ws)).exit_code == 0
    before = hashlib.sha256(ws.read_bytes()).hexdigest()
    path, extra = _bad_files(tmp_path)[message]
    monkeypatch.setattr(sys, "argv", ["impactrank", "import", str(path), "-w", str(ws), *extra])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) <= 2
    assert hashlib.sha256(ws.read_bytes()).hexdigest() == before


def test_import_refuses_to_replace_a_built_edition(tmp_path, table, monkeypatch, capsys):
    from impactrank.io.published import read_published

    ws = tmp_path / "ws.duckdb"
    built = read_published(table, edition="2021").editions[0]
    built.kind = "built"
    with Workspace(ws) as w:
        w.save(built)
    monkeypatch.setattr(sys, "argv", ["impactrank", "import", str(table), "-e", "2021", "-w", str(ws)])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2 and "was built, not imported" in capsys.readouterr().err
    with Workspace(ws, read_only=True) as w:
        assert w.load("2021").kind == "built"
