"""Commands on THE's imported editions offer only what an edition has: 2019 holds SDG tables only, so its overall
table, its summary and any overall comparison with it are refused in one line (exit 2), and an SDG table is
compared only where both editions have it. Countries are taken by name or code. Expectations come from the
workbooks themselves."""

from __future__ import annotations

import pytest

from inprocess import run_cli
from the_workbooks import sdgs_of, table_rows


def refused(r, *words: str) -> None:
    assert r.code == 2 and r.out == "", (r.code, r.out)
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
    assert all(w in r.message for w in words), r.message


def test_an_edition_of_sdg_tables_only_has_no_overall_views_or_comparison(the_workspace, tmp_path):
    rows, _ = table_rows()
    assert rows["overall", 2019] == 0 and rows["overall", 2020] > 0  # the workbooks: no overall table in 2019
    ws = ("-w", the_workspace)
    no_overall = ("edition 2019 has no overall table",)
    refused(run_cli("compare", "--from", "2019", "--to", "2021", *ws), *no_overall)
    # the other way round is refused first for its order: the earlier edition comes first
    refused(run_cli("compare", "--from", "2021", "--to", "2019", *ws), "--from names edition 2021", "not earlier")
    refused(run_cli("view", "overall", "-e", "2019", *ws), *no_overall)
    refused(run_cli("view", "country", "France", "-e", "2019", *ws), *no_overall)
    refused(run_cli("summary", "-e", "2019", *ws), *no_overall)
    refused(run_cli("summary", "-e", "2020", "--compare", "2019", *ws), *no_overall)
    refused(run_cli("report", "-e", "2019", "-o", tmp_path / "r.html", *ws), *no_overall)
    assert not (tmp_path / "r.html").exists()
    positions = run_cli("view", "country", "France", "-e", "2019", "--sdgs", "--format", "csv", *ws)
    assert positions.code == 0 and positions.out.startswith("institution_id,")


def test_sdg_tables_are_compared_only_where_both_editions_have_them(the_workspace):
    rows, _ = table_rows()
    held = sdgs_of(2019)
    assert len(held) == 10 and sdgs_of(2021) == list(range(1, 18))
    for sdg in range(1, 18):
        r = run_cli("compare", "--from", "2019", "--to", "2021", "--sdg", sdg, "-w", the_workspace)
        if sdg in held:
            assert r.code == 0, r.err
            sizes = f"2019 ({rows[sdg, 2019]:,} ranked) → 2021 ({rows[sdg, 2021]:,} ranked)"
            assert r.out.startswith(f"SDG {sdg} table, {sizes}: "), r.out[:200]
        else:
            refused(r, f"edition 2019 has no SDG {sdg} table")
        view = run_cli("view", "sdg", sdg, "-e", "2019", "--format", "csv", "-w", the_workspace)
        if sdg in held:
            assert view.code == 0 and len(view.out.splitlines()) == 1 + rows[sdg, 2019]
        else:
            refused(view, f"edition 2019 has no SDG {sdg} table", ", ".join(map(str, held)))


@pytest.mark.parametrize("country", ["France", "FR", "fr", "france"])
def test_a_country_is_taken_by_name_or_code(the_workspace, tmp_path, country):
    rows, by_country = table_rows()
    french = by_country["overall", 2021, "France"]
    assert french > 10
    view = run_cli("view", "country", country, "-e", "2021", "-w", the_workspace)
    assert view.code == 0 and view.out.startswith(f"France in 2021: {french} of {rows['overall', 2021]:,} ")
    out = tmp_path / "report.html"
    report = run_cli("report", "-e", "2021", "--country", country, "-o", out, "-w", the_workspace)
    assert report.code == 0, report.err
    assert f"{french} French institutions are ranked." in out.read_text()
    assert "<title>Impact rankings report · 2021 · France</title>" in out.read_text()  # named, not "FR"
    compared = run_cli("compare", "--from", "2020", "--to", "2021", "--country", country, "-w", the_workspace)
    assert compared.code == 0 and "│ IMT Atlantique " in compared.out
