"""The press kit of IMT Atlantique 2021 in French, made by ``impactrank presskit`` from THE's real tables: what
its summary, badges and rows say is checked against the workbooks read here with openpyxl — the overall band
and the field's size, the place among France's institutions (shared where tied), the movement from 2020, and
the best SDG positions (smallest last possible place as a share of the table) — and the zip is the same bytes
when made twice."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from inprocess import run_cli
from the_workbooks import THE_TABLES, goal_of

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not THE_TABLES.is_dir(), reason=f"THE's table workbooks not found at {THE_TABLES}"),
]
NAME, YEAR = "IMT Atlantique", 2021


@pytest.fixture(scope="module")
def raw() -> dict[int | str, list[tuple]]:
    """Every workbook's rows (rank, year, name, country), keyed by SDG or "overall"."""
    out: dict[int | str, list[tuple]] = {}
    for path in sorted(THE_TABLES.glob("*.xlsx")):
        rows = openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True)
        header = next(rows)
        out[goal_of(header[4]) or "overall"] = [tuple(r[:4]) for r in rows if r[1] is not None]
    return out


def first_place(rank: str) -> int:
    return int(re.match(r"=?(\d+)", rank).group(1))


def last_place(rank: str, size: int) -> int:
    """The last place a shown rank allows: a band's end, an open band's the table's size."""
    text = rank.lstrip("=")
    return size if text.endswith("+") else int(text.split("–")[-1])


def plain(text: str) -> str:
    """French typography's no-break spaces as plain spaces, thousands unseparated ("1 154" → "1154")."""
    text = text.replace("\u00a0", " ")
    return re.sub(r"(\d)\u202f(\d)", r"\1\2", text)


@pytest.fixture(scope="module")
def kits(the_workspace, tmp_path_factory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("kit")
    paths = (out / "kit.zip", out / "again.zip")
    from impactrank.io.workspace import Workspace

    with Workspace(the_workspace, read_only=True) as ws:
        institutions = ws.load(str(YEAR)).institutions
    iid = institutions.filter(institutions["name"] == NAME)["institution_id"][0]
    for path in paths:
        run = run_cli("presskit", "-w", the_workspace, "-e", YEAR, "-i", iid, "--lang", "fr", "-o", path)
        assert run.code == 0, run.err
    return paths


def test_the_zip_is_the_same_bytes_twice_with_sorted_entries_at_one_time(kits):
    first, second = (p.read_bytes() for p in kits)
    assert first == second
    entries = zipfile.ZipFile(io.BytesIO(first)).infolist()
    assert [e.filename for e in entries] == sorted(e.filename for e in entries)
    assert {e.date_time for e in entries} == {(2000, 1, 1, 0, 0, 0)}
    assert {"report.html", "report.pdf", "summary.md", "summary.docx", "results.csv"} <= {e.filename for e in entries}


def test_the_summary_states_the_workbooks_facts(kits, raw):
    kit = zipfile.ZipFile(kits[0])
    text = plain(kit.read("summary.md").decode("utf-8"))
    overall = [r for r in raw["overall"] if r[1] == YEAR]
    imt = next(r for r in overall if r[2] == NAME)
    assert f"dans la tranche {imt[0]} du classement" in text and f"parmi {len(overall)} établissements" in text
    # its place among France's institutions: those placed before it, and those sharing its rank
    french = [r for r in overall if r[3] == "France"]
    before = [r for r in french if first_place(r[0]) < first_place(imt[0])]
    sharing = [r for r in french if r[0] == imt[0] and r[2] != NAME]
    assert before == [] and len(sharing) == 2
    assert f"partage la première place des {len(french)} établissements français classés avec 2 autres" in text
    # the movement from 2020, in a grown field
    last_year = [r for r in raw["overall"] if r[1] == YEAR - 1]
    then = next(r for r in last_year if r[2] == NAME)
    assert f"passé de {len(last_year)} à {len(overall)} établissements" in text
    assert f"il progresse : {then[0]} en {YEAR - 1}, {imt[0]} en {YEAR}" in text
    assert last_place(imt[0], len(overall)) / len(overall) < last_place(then[0], len(last_year)) / len(last_year)
    # the best three SDG positions: the smallest last possible place as a share of the table
    positions = []
    for sdg, rows in raw.items():
        if sdg == "overall":
            continue
        table = [r for r in rows if r[1] == YEAR]
        mine = next((r for r in table if r[2] == NAME), None)
        if mine is not None:
            positions.append((last_place(mine[0], len(table)) / len(table), sdg, mine[0], len(table)))
    best = sorted(positions)[:3]
    assert [(s, r) for _, s, r, _ in best] == [(13, "55"), (9, "85"), (17, "201–300")]
    for _, sdg, rank, size in best:
        said = f"{rank}e sur {size}" if rank.isdigit() else f"tranche {rank} sur {size}"
        assert f"{said} pour l'ODD {sdg} " in text


def test_the_badges_follow_the_rules_and_say_it_in_words(kits, raw):
    kit = zipfile.ZipFile(kits[0])
    names = {n for n in kit.namelist() if n.startswith("badges/")}
    top100 = {
        sdg
        for sdg, rows in raw.items()
        if sdg != "overall"
        for r in rows
        if r[1] == YEAR and r[2] == NAME and not r[0].endswith("+") and last_place(r[0], 0) <= 100
    }
    stems = {"overall-band", "national-first", *(f"sdg-top-{s}" for s in top100)}  # 101–200: a band, not top 100
    assert names == {f"badges/{s}.{ext}" for s in stems for ext in ("svg", "png")}
    for stem in stems:
        assert kit.read(f"badges/{stem}.png")[:8] == b"\x89PNG\r\n\x1a\n"
    svg = plain(kit.read("badges/sdg-top-13.svg").decode("utf-8"))
    title = re.search(r"<title[^>]*>(.*)</title>", svg).group(1)
    assert "55e" in title and "566" in title and "ODD 13" in title and "THE Impact Rankings 2021" in title
    national = plain(kit.read("badges/national-first.svg").decode("utf-8"))
    assert "ex æquo" in national and "France" in national


def test_the_docx_and_the_rows_hold_the_same_facts(kits, raw):
    from docx import Document

    kit = zipfile.ZipFile(kits[0])
    summary = kit.read("summary.md").decode("utf-8")
    doc = Document(io.BytesIO(kit.read("summary.docx")))
    lines = [line.removeprefix("## ").removeprefix("- ") for line in summary.splitlines() if line]
    assert [p.text for p in doc.paragraphs if p.text] == lines
    rows = list(csv.DictReader(io.StringIO(kit.read("results.csv").decode("utf-8"))))
    expected = {
        ("overall" if key == "overall" else f"SDG {key}", r[0])
        for key, table in raw.items()
        for r in table
        if r[1] == YEAR and r[2] == NAME
    }
    assert {(r["table"], r["rank"]) for r in rows} == expected
