"""A corrections file applied at import: the rows named take the value and say so; a bad file or a correction
that names no row is an error naming the file, row and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from impactrank.errors import InputError
from impactrank.io.published import read_published
from impactrank.io.published.corrections import read_corrections, suggested_corrections

TABLE = """rank,name,country,year,overall,SDG17,SDG3,SDG5,SDG12
1,University of Lagos,Niger,2021,90.0,80.0,90.0,100.0,90.0
2,Lagos State University,Niger,2021,85.0,50.0,80.0,85.0,100.0
3,Covenant University,Niger,2021,80.0,60.0,70.0,80.0,100.0
4,University of Lagos,Niger,2022,70.0,40.0,70.0,60.0,50.0
5,Alpha College,France,2022,60.0,40.0,70.0,60.0,50.0
"""


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "published.csv"
    path.write_text(TABLE, encoding="utf-8")
    return path


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "corrections.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_suggestions_written_and_read_back_correct_the_rows(tmp_path, table):
    first = read_published(table)
    (e2021, e2022) = first.report.editions
    assert [(s["name"], s["suggested"]) for s in e2021.country_suggestions] == [
        ("Covenant University", "NG"),
        ("Lagos State University", "NG"),
        ("University of Lagos", "NG"),
    ]
    assert [(s["name"], s["suggested"]) for s in e2022.country_suggestions] == [("University of Lagos", "NG")]
    fixes = write(tmp_path, suggested_corrections(first.report).write_csv())
    second = read_published(table, corrections=fixes)
    for ed in second.editions:
        assert set(ed.institutions.filter(ed.institutions["name"] != "Alpha College")["country"]) == {"NG"}
    assert second.editions[0].overall["quality"].to_list() == ["country_corrected"] * 3
    assert second.editions[1].overall["quality"].to_list() == ["country_corrected", "ok"]
    assert all(not e.country_suggestions for e in second.report.editions)


def test_an_empty_edition_means_every_edition_and_country_narrows(tmp_path, table):
    fixes = write(
        tmp_path,
        "edition,name,field,value,country\n,University of Lagos,country,Nigeria,NE\n2022,Alpha College,name,Alpha\n",
    )
    result = read_published(table, corrections=fixes)
    assert [ed.institutions["institution_id"].to_list()[0] for ed in result.editions] == [
        "ng-university-of-lagos",
        "ng-university-of-lagos",
    ]
    assert result.editions[1].institutions["name"].to_list() == ["University of Lagos", "Alpha"]
    assert result.editions[1].overall["quality"].to_list() == ["country_corrected", "name_corrected"]


@pytest.mark.parametrize(
    ("text", "row", "field", "words"),
    [
        ("edition,name,value\n2021,X,Y\n", 1, None, "missing: field"),
        ("edition,name,field,value\n2021,University of Lagos,rank,1\n", 2, "field", "cannot be corrected"),
        ("edition,name,field,value\n2021,University of Lagos,country,Atlantis\n", 2, "value", "Atlantis"),
        ("edition,name,field,value\n2021,,country,Nigeria\n", 2, "name", "name is empty"),
        ("edition,name,field,value,country\n2021,University of Lagos,country,Nigeria,Mars\n", 2, "country", "Mars"),
        (
            "edition,name,field,value\n2021,University of Lagos,country,Nigeria\n2021,Lagos Univ,country,NG\n",
            3,
            "name",
            "no row of edition 2021 is named 'Lagos Univ'",
        ),
        (  # the same name's country corrected twice (written otherwise): which one? the last won before
            "edition,name,field,value\n2021,University of Lagos,country,Nigeria\n"
            "2021,UNIVERSITY  OF LAGOS,country,Ghana\n",
            3,
            "name",
            "the country of 'UNIVERSITY  OF LAGOS' is corrected on row 2 already",
        ),
    ],
)
def test_a_bad_corrections_file_names_file_row_and_field(tmp_path, table, text, row, field, words):
    fixes = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        read_published(table, corrections=fixes)
    assert (err.value.file, err.value.row, err.value.field) == ("corrections.csv", row, field)
    assert words in err.value.message


def test_a_correction_for_an_edition_not_imported_is_not_an_error(tmp_path, table):
    fixes = write(tmp_path, "edition,name,field,value\n2019,Nowhere University,country,Nigeria\n")
    assert len(read_corrections(fixes).items) == 1
    assert len(read_published(table, corrections=fixes).editions) == 2


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "le champ 'rank' ne peut pas être corrigé (au choix\u00a0: country, name)"),
        ("es", "el campo 'rank' no puede corregirse (uno de: country, name)"),
    ],
)
def test_a_bad_corrections_file_is_refused_in_the_readers_language(tmp_path, lang, said):
    """The refusal is the catalog's message, worded where it is shown; the fields that can be corrected are
    the file format's own names."""
    fixes = write(tmp_path, "edition,name,field,value\n2021,University of Lagos,rank,1\n")
    with pytest.raises(InputError) as err:
        read_corrections(fixes)
    assert err.value.text(lang, located=False) == said


@pytest.mark.parametrize(
    ("text", "row", "field", "said"),
    [
        (
            "Name,Value\nX,Y\n",
            1,
            None,
            "a corrections file needs the columns edition,name,field,value (and optionally country); "
            "missing: edition, field",
        ),
        ("edition,name,field,value\n2021,University of Lagos,country,\n", 2, "value", "value is empty"),
        (
            "edition,name,field,value\n,Lagos Univ,country,NG\n",
            2,
            "name",
            "no row of any edition is named 'Lagos Univ'",
        ),
        (
            "edition,name,field,value\n2022,Alpha College,name,Alpha\n2021,Alpha College,name,Alpha\n",
            3,
            "name",
            "no row of edition 2021 is named 'Alpha College'",
        ),
        (  # a name with an unquoted comma: the row is refused, not cut short to the header's columns
            "edition,name,field,value\n2021,University of Lagos,country,Nigeria\n2021,Lagos, University of,name,X\n",
            3,
            None,
            "5 cells where the header has 4",
        ),
    ],
)
def test_a_bad_corrections_file_is_refused_in_full(tmp_path, table, text, row, field, said):
    with pytest.raises(InputError) as err:
        read_published(table, corrections=write(tmp_path, text))
    assert (err.value.file, err.value.row, err.value.field, err.value.message) == ("corrections.csv", row, field, said)


def test_a_star_for_every_edition_a_blank_row_and_headers_in_any_case(tmp_path, table):
    fixes = write(
        tmp_path,
        " Edition , NAME ,Field,Value\n*,University of Lagos,Country,NG\n , , , \n2022,Alpha College,name,Alpha\n",
    )
    result = read_published(table, corrections=fixes)
    assert [ed.institutions.select("name", "country").row(0) for ed in result.editions] == [
        ("University of Lagos", "NG"),
        ("University of Lagos", "NG"),
    ]
    assert result.editions[1].overall["quality"].to_list() == ["country_corrected", "name_corrected"]


def test_the_sources_country_picks_one_of_two_institutions_of_the_same_name(tmp_path):
    path = tmp_path / "published.csv"
    path.write_text(
        "rank,name,country,year,overall,SDG17,SDG3,SDG5,SDG12\n"
        "1,Saint Joseph University,Lebanon,2022,90.0,80.0,90.0,100.0,90.0\n"
        "2,Saint Joseph University,Tanzania,2022,80.0,60.0,70.0,80.0,100.0\n",
        encoding="utf-8",
    )
    fixes = write(tmp_path, "edition,name,field,value,country\n2022,Saint Joseph University,name,USJ Beirut,LB\n")
    (ed,) = read_published(path, corrections=fixes).editions
    assert ed.institutions.select("name", "country").rows() == [
        ("USJ Beirut", "LB"),
        ("Saint Joseph University", "TZ"),
    ]
    assert ed.overall["quality"].to_list() == ["name_corrected", "ok"]


def test_suggestions_are_a_corrections_file_with_the_evidence_beside(table):
    report = read_published(table).report
    (e2021, e2022) = report.editions
    frame = suggested_corrections(report)
    expected = [
        {
            "edition": e.edition,
            "name": s["name"],
            "field": "country",
            "value": "Nigeria",
            "country": "Niger",
            "evidence": s["evidence"],
        }
        for e in (e2021, e2022)
        for s in e.country_suggestions
    ]
    assert frame.to_dicts() == expected and len(expected) == 4
    assert all("Nigeria" in row["evidence"] for row in expected)


def test_no_suggestion_is_an_empty_corrections_file_with_its_columns(tmp_path):
    path = tmp_path / "published.csv"
    path.write_text("rank,name,country,year,overall\n1,Alpha College,France,2022,90.0\n", encoding="utf-8")
    frame = suggested_corrections(read_published(path).report)
    assert frame.height == 0
    assert frame.write_csv() == "edition,name,field,value,country,evidence\n"
