"""Institution names take their article in running text: "L'Université PSL se classe…", "avec l'École …",
"del Tecnológico de Monterrey", "with the University of Tokyo"; names without a common noun first stay bare,
and in French the head's gender gives the pronoun ("Elle est première")."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from test_summary import edition

from impactrank.report import articles as ar
from impactrank.report.institution import institution_facts
from impactrank.report.press import press_summary
from impactrank.report.summary import summarise
from the_workbooks import THE_TABLES, goal_of

NB, NNB = "\u00a0", "\u202f"


def _plain(text: str) -> str:
    return text.replace(NB, " ").replace(NNB, " ")


@pytest.mark.parametrize(
    ("name", "mid", "start"),
    [
        ("Université PSL", "l'Université PSL", "L'Université PSL"),
        (
            "École des Mines de Saint-Étienne",
            "l'École des Mines de Saint-Étienne",
            "L'École des Mines de Saint-Étienne",
        ),
        ("Ecole Polytechnique", "l'Ecole Polytechnique", "L'Ecole Polytechnique"),  # without its accent
        ("UNIVERSITÉ X", "l'UNIVERSITÉ X", "L'UNIVERSITÉ X"),  # nor its case
        (
            "Institut Mines-Télécom Business School",
            "l'Institut Mines-Télécom Business School",
            "L'Institut Mines-Télécom Business School",
        ),
        ("Hôpital Foch", "l'Hôpital Foch", "L'Hôpital Foch"),
        (
            "Conservatoire national des arts et métiers",
            "le Conservatoire national des arts et métiers",
            "Le Conservatoire national des arts et métiers",
        ),
        ("Collège de France", "le Collège de France", "Le Collège de France"),
        ("Faculté de médecine", "la Faculté de médecine", "La Faculté de médecine"),
        (
            "Fondation Nationale des Sciences Politiques",
            "la Fondation Nationale des Sciences Politiques",
            "La Fondation Nationale des Sciences Politiques",
        ),
        # no common noun first: bare, as written
        ("IMT Atlantique", "IMT Atlantique", "IMT Atlantique"),
        ("Nantes Université", "Nantes Université", "Nantes Université"),
        ("Sorbonne Université", "Sorbonne Université", "Sorbonne Université"),
        ("CentraleSupélec", "CentraleSupélec", "CentraleSupélec"),
        ("University of Oxford", "University of Oxford", "University of Oxford"),
        ("Centre-Val de Loire Institute", "Centre-Val de Loire Institute", "Centre-Val de Loire Institute"),
    ],
)
def test_french_article(name, mid, start):
    assert ar.the(name, "fr") == mid
    assert ar.the(name, "fr", capital=True) == start


def test_french_contractions_after_de_and_a():
    assert ar.of("Centre Borelli", "fr") == "du Centre Borelli"
    assert ar.of("Université PSL", "fr") == "de l'Université PSL"
    assert ar.of("Fondation X", "fr") == "de la Fondation X"
    assert ar.of("IMT", "fr") == "d'IMT"  # elided before a vowel
    assert ar.of("Nantes Université", "fr") == "de Nantes Université"


@pytest.mark.parametrize(
    ("name", "feminine"),
    [
        ("Université PSL", True),
        ("École des Mines de Saint-Étienne", True),
        ("Académie des sciences", True),
        ("Faculté de médecine", True),
        ("Fondation X", True),
        ("Institut Polytechnique de Paris", False),
        ("Centre Borelli", False),
        ("IMT Atlantique", False),  # bare: "l'établissement"
        ("Nantes Université", False),
    ],
)
def test_french_gender_of_the_head(name, feminine):
    assert ar.feminine(name, "fr") is feminine


@pytest.mark.parametrize(
    ("name", "mid", "start", "of"),
    [
        (
            "Universidad de Chile",
            "la Universidad de Chile",
            "La Universidad de Chile",
            "de la Universidad de Chile",
        ),
        (
            "Pontificia Universidad Católica de Chile",
            "la Pontificia Universidad Católica de Chile",
            "La Pontificia Universidad Católica de Chile",
            "de la Pontificia Universidad Católica de Chile",
        ),
        (
            "Tecnológico de Monterrey",
            "el Tecnológico de Monterrey",
            "El Tecnológico de Monterrey",
            "del Tecnológico de Monterrey",
        ),
        (
            "Instituto Politécnico Nacional (IPN)",
            "el Instituto Politécnico Nacional (IPN)",
            "El Instituto Politécnico Nacional (IPN)",
            "del Instituto Politécnico Nacional (IPN)",
        ),
        (
            "Escuela Politécnica Nacional",
            "la Escuela Politécnica Nacional",
            "La Escuela Politécnica Nacional",
            "de la Escuela Politécnica Nacional",
        ),
        (
            "Harvard University",
            "Harvard University",
            "Harvard University",
            "de Harvard University",
        ),
        ("IMT Atlantique", "IMT Atlantique", "IMT Atlantique", "de IMT Atlantique"),
    ],
)
def test_spanish_article_and_contractions(name, mid, start, of):
    assert (ar.the(name, "es"), ar.the(name, "es", capital=True), ar.of(name, "es")) == (mid, start, of)


@pytest.mark.parametrize(
    ("name", "mid", "start"),
    [
        ("University of Tokyo", "the University of Tokyo", "The University of Tokyo"),
        ("Institute of Science Tokyo", "the Institute of Science Tokyo", "The Institute of Science Tokyo"),
        (
            "School of Oriental and African Studies",
            "the School of Oriental and African Studies",
            "The School of Oriental and African Studies",
        ),
        ("The University of Manchester", "The University of Manchester", "The University of Manchester"),
        ("Harvard University", "Harvard University", "Harvard University"),
        ("University College London", "University College London", "University College London"),
        ("Université PSL", "Université PSL", "Université PSL"),  # French heads are for French texts
    ],
)
def test_english_the(name, mid, start):
    assert ar.the(name, "en") == mid
    assert ar.the(name, "en", capital=True) == start


def test_english_of():
    assert ar.of("University of Oxford", "en") == "of the University of Oxford"
    assert ar.of("Harvard University", "en") == "of Harvard University"


def test_a_list_capitalises_its_first_name_only():
    names = ["Université A", "École B", "IMT Atlantique"]
    assert ar.the_all(names, "fr", capital=True) == ["L'Université A", "l'École B", "IMT Atlantique"]
    assert ar.the_all(names, "fr") == ["l'Université A", "l'École B", "IMT Atlantique"]


def _named(ed, names: dict[str, str]):
    inst = ed.institutions.with_columns(name=pl.col("institution_id").replace_strict(names, default=pl.col("name")))
    from dataclasses import replace

    return replace(ed, institutions=inst)


def test_a_tie_names_each_institution_with_its_article():
    rows = [("a", "FR", 11, 20), ("b", "FR", 11, 20), ("c", "FR", 11, 20)]
    fr = _named(edition("2021", 30, rows), {"a": "Université A", "b": "École B", "c": "Institut C"})
    text = _plain(summarise(fr, country="FR", lang="fr").paragraph)
    assert (
        "L'Institut C partage la première place des établissements français, à égalité avec l'Université A et "
        "l'École B (tous dans la tranche 11–20)." in text
    )
    es = _named(edition("2021", 30, rows), {"a": "Universidad A", "b": "Universidad B", "c": "Instituto C"})
    assert (
        "El Instituto C comparte el primer puesto de las instituciones de Francia con la Universidad A y la "
        "Universidad B (todas en el tramo 11–20)." in summarise(es, country="FR", lang="es").paragraph
    )
    en = _named(edition("2021", 30, rows), {"a": "University of A", "b": "Harvard B", "c": "The University of C"})
    assert (
        "Harvard B is joint first among the French institutions with The University of C and the University of A "
        "(all in the 11–20 band)." in summarise(en, country="FR", lang="en").paragraph
    )


def test_only_feminine_names_tie_as_toutes():
    rows = [("a", "FR", 11, 20), ("b", "FR", 11, 20)]
    fr = _named(edition("2021", 30, rows), {"a": "Université A", "b": "École B"})
    assert "à égalité avec l'École B (toutes deux dans la tranche 11–20)." in _plain(
        summarise(fr, country="FR", lang="fr").paragraph
    )


def test_a_group_named_by_a_common_noun_contracts_after_de():
    ed = _named(edition("2021", 10, [("a", "FR", 3, 3)], groups={"a": "Centre X"}), {"a": "Instituto A"})
    fr = summarise(ed, group="Centre X", lang="fr").paragraph
    assert "Le seul membre du Centre X est au classement général." in fr
    es = summarise(_named(ed, {}), group="Centre X", lang="es").paragraph
    assert "El único miembro de Centre X figura en la clasificación general." in es  # a French name, bare in Spanish


def test_a_feminine_institution_is_elle_premiere():
    ed = _named(edition("2021", 20, [("a", "FR", 1, 1), ("b", "FR", 2, 2)]), {"a": "Université A", "b": "Institut B"})
    first = _plain(press_summary(institution_facts(ed, None, "a"), "fr").paragraph)
    assert first.startswith("L'Université A se classe 1re du classement ")
    assert "Elle est première des 2 établissements français classés." in first
    second = _plain(press_summary(institution_facts(ed, None, "b"), "fr").paragraph)
    assert second.startswith("L'Institut B se classe 2e du classement ")
    assert "Il est 2e des 2 établissements français classés." in second
    es = press_summary(institution_facts(_named(ed, {"a": "Universidad A"}), None, "a"), "es").paragraph
    assert es.startswith("La Universidad A se sitúa en el puesto 1 de la clasificación ")
    en = press_summary(institution_facts(_named(ed, {"a": "University of A"}), None, "a"), "en").paragraph
    assert en.startswith("The University of A is placed 1st in the ")


# ---------------------------------------------------------------------------------------------------------
# on THE's tables

on_the_tables = pytest.mark.skipif(not THE_TABLES.is_dir(), reason=f"THE's table workbooks not found at {THE_TABLES}")


def _overall_2021_names() -> list[str]:
    """THE's 2021 overall table's names, read from the workbook with openpyxl (not the importer)."""
    for path in sorted(THE_TABLES.glob("*.xlsx")):
        rows = openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True)
        header = [str(h or "") for h in next(rows)]
        if goal_of(header[4]) is None:
            return [r[2] for r in rows if r[1] in (2021, "2021") and r[2]]
    raise AssertionError("no overall workbook")


@pytest.mark.shared
@on_the_tables
def test_a_universite_in_the_2021_table_is_elle(the_tables):
    names = _overall_2021_names()
    name = sorted(n for n in names if re.match(r"Universit[ée] ", n) and names.count(n) == 1)[0]
    ed2021, ed2020 = ({e.year: e for e in the_tables.editions}[y] for y in (2021, 2020))
    iid = ed2021.institutions.filter(pl.col("name") == name)["institution_id"][0]
    text = _plain(press_summary(institution_facts(ed2021, ed2020, iid), "fr").paragraph)
    assert text.startswith(f"L'{name} se classe "), text
    assert " Elle est " in text and " Il est " not in text, text


@pytest.fixture(scope="module")
def imt_2021(the_tables):
    from impactrank.io.groups import read_groups

    repo = Path(__file__).resolve().parents[2]
    eds = {e.year: e for e in the_tables.editions}
    members = read_groups(repo / "examples" / "groups" / "imt.csv", editions=[eds[2021], eds[2020]])
    return summarise(eds[2021], previous=eds[2020], group="IMT", members=members, lang="fr")


@pytest.mark.shared
@on_the_tables
def test_the_imt_summary_gives_ecole_and_institut_their_article(imt_2021):
    """The members whose name begins with "École" or "Institut" (read from the group file and the workbook) are
    "L'École …", "L'Institut …" where a sentence begins with them; IMT's own names stay bare."""
    names = set(_overall_2021_names())
    repo = Path(__file__).resolve().parents[2]
    members = (repo / "examples" / "groups" / "imt.csv").read_text(encoding="utf-8")
    headed = sorted(n for n in names if n.split()[0] in ("École", "Institut") and n in members)
    assert headed == ["Institut Mines-Télécom Business School", "École des Mines de Saint-Étienne"]
    text = _plain(imt_2021.paragraph)
    assert "L'Institut Mines-Télécom Business School fait son entrée dans le classement cette année" in text
    assert "L'École des Mines de Saint-Étienne maintient sa position" in text
    assert "; l'École des Mines de Saint-Étienne, tranche " in text
    assert ". IMT Atlantique partage la première place" in text and "IMT place 4 de ses 8 membres" in text
    assert not re.search(r"(^|\. )(École|Institut) ", text)
    # the facts' labels keep the bare name
    assert any(f.startswith("École des Mines de Saint-Étienne :") for f in map(_plain, imt_2021.facts))


def test_a_feminine_first_place_is_1re():
    from impactrank.report import typography as ty

    assert ty.rank_phrase("1", "fr", feminine=True) == "1re"
    assert ty.rank_phrase("=1", "fr", feminine=True) == "1re ex æquo"
    assert ty.rank_phrase("=1", "fr") == "1er ex æquo"
    assert ty.rank_phrase("3", "fr", feminine=True) == "3e"
