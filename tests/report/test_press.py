"""A press summary's movement from the previous edition, on THE's real 2020 and 2021 overall tables: where the
ranks alone say otherwise than the movement on percentiles (a worse exact rank, or the same band, in a larger
field), the paragraph says the movement holds relative to the field's size; where they agree, it does not. The
cases are found in the workbook here, with openpyxl."""

from __future__ import annotations

import re

import openpyxl
import pytest

from the_workbooks import THE_TABLES, goal_of

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not THE_TABLES.is_dir(), reason=f"THE's table workbooks not found at {THE_TABLES}"),
]
RELATIVE = {
    "en": "it progresses relative to the field's size: ",
    "fr": "il progresse par rapport à la taille du classement : ",
    "es": "progresa respecto al tamaño de la clasificación: ",
}
PLAIN = {"en": "it progresses: ", "fr": "il progresse : ", "es": "progresa: "}


def interval(rank: str) -> tuple[int, int] | None:
    """First and last place of a shown rank ("=11", "301–400"); None for anything else, and for the 0 the
    workbook holds for some tied ranks (the importer rebuilds those from their neighbours)."""
    m = re.fullmatch(r"=?([1-9]\d*)(?:[–-](\d+))?", rank)
    return m and (int(m[1]), int(m[2] or m[1]))


@pytest.fixture(scope="module")
def cases() -> dict[str, str]:
    """One institution of each kind, by name: progressed on percentiles with a better rank, with a worse exact
    rank, and in the same band; names unique in both years."""
    path = next(p for p in sorted(THE_TABLES.glob("*.xlsx")) if goal_of(_header(p)[4]) is None)
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))[1:]
    years = {y: [r for r in rows if r[1] == y] for y in (2020, 2021)}
    n1, n2 = len(years[2020]), len(years[2021])
    ranks = {}
    for y, table in years.items():
        names = [r[2] for r in table]
        ranks[y] = {r[2]: interval(str(r[0])) for r in table if names.count(r[2]) == 1}
    found = {}
    for name, then in ranks[2020].items():
        now = ranks[2021].get(name)
        if then is None or now is None or not now[1] * n1 < then[0] * n2:  # not progressed on percentiles
            continue
        kind = "better" if now[1] < then[0] else "same band" if now == then and now[0] < now[1] else None
        if kind is None and now[0] == now[1] and then[0] == then[1] and now[0] > then[0]:
            kind = "worse rank"
        if kind:
            found.setdefault(kind, name)
    assert set(found) == {"better", "worse rank", "same band"}
    return found


def _header(path) -> list[str]:
    return [str(h or "") for h in next(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))]


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_a_movement_the_ranks_alone_contradict_is_said_relative_to_the_fields_size(the_tables, cases, lang):
    from impactrank.report.institution import institution_facts
    from impactrank.report.press import press_summary

    editions = {e.year: e for e in the_tables.editions}
    institutions = editions[2021].institutions
    for kind, name in cases.items():
        iid = institutions.filter(institutions["name"] == name)["institution_id"][0]
        text = press_summary(institution_facts(editions[2021], editions[2020], iid), lang).paragraph
        text = text.replace("\u00a0", " ").replace("\u202f", " ")
        said = RELATIVE[lang] if kind != "better" else PLAIN[lang]
        assert said in text, (kind, name, text)
