"""``impactrank forecast`` on THE's imported editions: one institution's line and assumptions, a country's
table, the refusal of an institution with no score this year (new next year), and the back-test per year.
Which institutions are where comes from the workbooks themselves."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from inprocess import run_cli
from the_workbooks import THE_TABLES


@pytest.fixture(scope="module")
def overall_names() -> dict[int, dict[str, str]]:
    """Year → institution name → displayed rank, from the overall workbook."""
    path = next(p for p in THE_TABLES.glob("*overall*.xlsx"))
    lines = openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)
    next(lines)
    out: dict[int, dict[str, str]] = {}
    for rank, year, name, *_ in lines:
        if year is not None:
            out.setdefault(int(year), {})[name] = rank
    return out


def _id(the_tables, year: int, name: str) -> str:
    ed = next(e for e in the_tables.editions if e.year == year)
    return ed.institutions.filter(ed.institutions["name"] == name)["institution_id"][0]


def test_one_institution_next_year(the_workspace, the_tables, overall_names):
    name = "IMT Atlantique"
    iid = _id(the_tables, 2023, name)
    r = run_cli("forecast", "-w", the_workspace, "--edition", "2023", "--institution", iid, "--runs", 400)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == f"{name} (2023: {overall_names[2023][name]})"
    assert lines[1].startswith("Next year (2024): most likely ")
    assert "Already fixed by this year's score: " in r.out  # 2024 averages with 2023 (the latest rule)
    assert "assumed: no methodology of 2024 is known" in r.out
    assert "2020 → 2021; 2021 → 2022; 2022 → 2023" in r.out
    fr = run_cli("forecast", "-w", the_workspace, "-e", "2023", "--institution", iid, "--runs", 400, "--lang", "fr")
    assert fr.code == 0 and "Next year" not in fr.out and "L’an prochain (2024)" in fr.out
    # a no-break space before the colon
    assert fr.out.splitlines()[0] == f"{name} (2023\u00a0: {overall_names[2023][name]})"
    planned = run_cli("forecast", "-w", the_workspace, "-e", "2023", "--institution", iid, "--assume-sdg", "13=99")
    assert planned.code == 0, planned.err
    assert "- Planned: SDG 13 at 99.0, moving this year's single-year score by " in planned.out
    assert run_cli("forecast", "-w", the_workspace, "-e", "2023", "--assume-sdg", "13=99").code == 2


def test_summary_says_next_year_of_its_best_placed_institution(the_workspace, the_tables):
    path = next(p for p in THE_TABLES.glob("*overall*.xlsx"))
    lines = openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)
    next(lines)
    start = {
        name: int(str(rank).lstrip("=").split("–")[0].rstrip("+"))
        for rank, year, name, country, *_ in lines
        if year == 2023 and country == "France"
    }
    best = {n for n, s in start.items() if s == min(start.values())}
    r = run_cli("summary", "-w", the_workspace, "-e", "2023", "--country", "FR", "--forecast", "--format", "txt")
    assert r.code == 0, r.err
    line = next(x for x in r.out.splitlines() if "Next year (2024): most likely" in x)
    name = line.lstrip("-* ").split(" — ")[0]
    assert name in best, (name, best)
    assert f"impactrank forecast --edition 2023 --institution {_id(the_tables, 2023, name)}" in r.out


def test_an_institution_new_next_year_is_refused_in_one_line(the_workspace, the_tables, overall_names):
    new = sorted(set(overall_names[2023]) - set(overall_names[2022]))
    in_2023_only = next(
        n for n in new if not any(e.year == 2022 and n in e.institutions["name"] for e in the_tables.editions)
    )
    iid = _id(the_tables, 2023, in_2023_only)
    r = run_cli("forecast", "-w", the_workspace, "--edition", "2022", "--institution", iid)
    assert r.code == 2 and r.out == "" and "Traceback" not in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert f"no institution '{iid}' in edition 2022" in r.message and "new next year" in r.message


def test_a_country_table_and_its_export(the_workspace, tmp_path, overall_names):
    out = tmp_path / "fr.csv"
    r = run_cli("forecast", "-w", the_workspace, "-e", "2023", "--country", "FR", "--runs", 200, "--out", out)
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    french = {n for n, _ in overall_names[2023].items()} & {row["name"] for row in rows}
    assert len(rows) == len(french) > 20 and {row["country"] for row in rows} == {"FR"}
    for row in rows:
        assert float(row["fixed_low"]) <= float(row["fixed_high"])
        probs = json.loads(row["band_probabilities"])  # bands in order, those with a chance
        labels, p = list(probs), list(probs.values())
        first, last = labels.index(row["interval_low"]), labels.index(row["interval_high"])
        mode = labels.index(row["most_likely"])
        assert first <= mode <= last and abs(float(row["interval_probability"]) - sum(p[first : last + 1])) < 1e-3
        nearest = min(abs(sum(p[a : b + 1]) - 0.8) for a in range(mode + 1) for b in range(mode, len(p)))
        assert abs(sum(p[first : last + 1]) - 0.8) <= nearest + 1e-3  # the bands nearest 80 %


def test_backtest_per_year(the_workspace, tmp_path):
    out = tmp_path / "bt.csv"
    r = run_cli("forecast", "-w", the_workspace, "--backtest", "--runs", 200, "--out", out)
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [row["year"] for row in rows] == ["2022", "2023"]  # 2021 has no earlier pair to learn from
    for row in rows:
        assert float(row["coverage"]) >= 0.8 and 0 < float(row["naive"]) < 1
    shown = run_cli("forecast", "-w", the_workspace, "--backtest", "--runs", 200)
    assert "2021 not forecast: no earlier pair of overall tables" in " ".join(shown.out.split())


def test_the_readme_backtest_figures_are_the_commands(the_workspace, tmp_path):
    from pathlib import Path

    out = tmp_path / "bt.csv"
    assert run_cli("forecast", "-w", the_workspace, "--backtest", "--out", out).code == 0
    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8").split())
    for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))):
        cells = [f"{100 * float(row[c]):.1f} %" for c in ("coverage", "interval_probability", "exact")]
        cells += [f"{100 * float(row[c]):.1f} %" for c in ("exact_probability", "naive")]
        line = f"| {row['year']} | {int(row['institutions']):,} | " + " | ".join(cells) + " |"
        assert line in readme, line


def test_one_institution_with_a_country_or_a_group_and_a_negative_seed_are_refused(the_workspace, the_tables):
    iid = _id(the_tables, 2023, "IMT Atlantique")
    for extra in (("--country", "US"), ("--group", "IMT", "--groups", "examples/groups/imt.csv")):
        r = run_cli("forecast", "-w", the_workspace, "-e", "2023", "--institution", iid, *extra)
        assert r.code == 2 and "Traceback" not in r.err
        assert "--institution forecasts one institution: drop --country and --group" in r.message
    r = run_cli("forecast", "-w", the_workspace, "-e", "2023", "--institution", iid, "--seed", "-1")
    assert r.code == 2 and "Traceback" not in r.err and "--seed" in r.err


def test_a_country_with_no_institution_in_the_edition_is_said(the_workspace, overall_names):
    # Vatican City: a country code no institution of 2023's workbook has
    assert "Vatican City" not in {n for n in overall_names[2023]}
    r = run_cli("forecast", "-w", the_workspace, "-e", "2023", "--country", "VA", "--runs", "100")
    assert r.code == 2 and "Traceback" not in r.err
    assert "field 'country': no institution of edition 2023 is in VA" in r.message
