"""The badge rules (methodology/badges.yaml) on facts written by hand: a shared place is a shared badge, a band
ending past 100 earns the band's badge and not the top 100's, an open band ("1001+") earns no top badge, and a
rules file that names an unknown table is refused by rule number."""

from __future__ import annotations

import pytest

from impactrank.errors import InputError
from impactrank.report import badges


def facts(overall: str, banded: bool, national: str, sdgs: list[tuple[int, str, bool]]) -> dict:
    return {
        "year": 2021,
        "ranking": None,
        "field_size": 1117,
        "institution": {"id": "x", "name": "Université X", "country": "FR"},
        "overall": {"rank": overall, "banded": banded},
        "national": {"country": "FR", "rank": national, "count": 18},
        "sdgs": [{"sdg": s, "rank": r, "banded": b, "table_size": 500} for s, r, b in sdgs],
    }


def test_shared_top_places_and_bands():
    got = badges.earned(facts("=12", False, "=1", [(3, "101–200", True), (5, "=100", False), (9, "1001+", True)]))
    assert [(b["rule"], b["sdg"], b["rank"], b["shared"]) for b in got] == [
        ("overall-top", None, "=12", True),
        ("sdg-top", 5, "=100", True),
        ("national-first", None, "=1", True),
    ]


def test_a_band_past_100_earns_the_band_not_the_top():
    got = badges.earned(facts("101–200", True, "2", [(13, "55", False)]))
    assert [(b["rule"], b["rank"]) for b in got] == [("overall-band", "101–200"), ("sdg-top", "55")]


def test_words_in_english_and_the_title_of_the_svg():
    f = facts("=12", False, "=1", [])
    (top, national) = badges.earned(f)
    assert badges.wording(top, f, "en")["place"] == "joint 12th"
    svg = badges.svg(national, f, "en")
    title = "Université X: joint 1st of 18 ranked institutions — In France, THE Impact Rankings 2021"
    assert f'<title id="title">{title}</title>' in svg


def test_a_rule_on_an_unknown_table_is_refused(tmp_path):
    path = tmp_path / "badges.yaml"
    path.write_text("rules:\n  - {id: a, table: overall, within: 10}\n  - {id: b, table: world, within: 1}\n")
    with pytest.raises(InputError, match="rule 2: table must be one of overall, sdg, national"):
        badges.load_rules(path)


def test_the_band_text_contrasts_at_wcag_aa_on_every_colour():
    def luminance(hex_colour: str) -> float:  # WCAG 2.1's relative luminance, written out here
        out = []
        for i in (1, 3, 5):
            c = int(hex_colour[i : i + 2], 16) / 255
            out.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * out[0] + 0.7152 * out[1] + 0.0722 * out[2]

    colours = [*badges.SDG_COLOURS.values(), badges.OVERALL_COLOUR, badges.NATIONAL_COLOUR]
    for colour in colours:
        ink = badges._ink(colour)
        light, dark = sorted((luminance(colour), luminance(ink)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, colour
