"""The build's input checks refuse in the reader's language: each message a catalog entry filled with the row's
own values (stored language-free, worded where the error is shown), no English word left in French or Spanish
(tests/i18n_words.py), and the count of other rows sharing the problem."""

from __future__ import annotations

import re

import pytest

from i18n_words import ENGLISH_WORDS
from impactrank.errors import InputError
from impactrank.io.inputs import read_institutions

ROWS = [  # institution_id, name, country
    ("A", "Alpha", "FR"),
    ("B", "", "ES"),
    ("C", "Gamma", "Atlantis"),
    ("A", "Delta", "DE"),
    ("E", "", "Narnia"),
]


def refusal(tmp_path, rows) -> InputError:
    path = tmp_path / "institutions.csv"
    path.write_text("institution_id,name,country\n" + "".join(",".join(r) + "\n" for r in rows))
    with pytest.raises(InputError) as caught:
        read_institutions(path)
    return caught.value


def english_words(text: str, data: list[str]) -> set[str]:
    for value in data:
        text = text.replace(value, " ")
    return set(re.findall(r"[A-Za-z]+", text)) & set(ENGLISH_WORDS)


@pytest.mark.parametrize(
    ("lang", "empty", "duplicate", "country"),
    [
        (
            "fr",
            "valeur vide (1 autre ligne comme celle-ci)",
            "institution_id 'A' en double (d’abord à la ligne 2)",
            "pays 'Atlantis' inconnu (utilisez un code ISO 3166 alpha-2 ou le nom anglais du pays) (1 autre ligne "
            "comme celle-ci)",
        ),
        (
            "es",
            "valor vacío (1 fila más como esta)",
            "institution_id 'A' duplicado (primero en la fila 2)",
            "país 'Atlantis' desconocido (use un código ISO 3166 alfa-2 o el nombre del país en inglés) (1 fila más "
            "como esta)",
        ),
    ],
)
def test_the_institutions_checks_in_the_readers_language(tmp_path, lang, empty, duplicate, country):
    """Each check in turn on rows built to fail it: the first bad row named (row 1 is the header), the others
    counted."""
    blank = [i for i, r in enumerate(ROWS) if not r[1]]
    said = refusal(tmp_path, ROWS)
    assert (said.row, said.field, said.more) == (blank[0] + 2, "name", len(blank) - 1)
    assert said.text(lang, located=False) == empty
    named = [r if r[1] else (r[0], "Named", r[2]) for r in ROWS]
    said = refusal(tmp_path, named)
    assert (said.row, said.field) == (5, "institution_id")  # the second "A"
    assert said.text(lang, located=False) == duplicate
    unique = [(f"{r[0]}{i}", *r[1:]) for i, r in enumerate(named)]
    said = refusal(tmp_path, unique)
    assert (said.row, said.field, said.more) == (4, "country", 1)  # Atlantis, then Narnia
    assert said.text(lang, located=False) == country
    data = ["institution_id", "ISO", "Atlantis"]
    assert not english_words(said.text(lang, located=False) + empty + duplicate, data)
    assert str(said).startswith("institutions.csv, row 4, field 'country': unknown country 'Atlantis'")
