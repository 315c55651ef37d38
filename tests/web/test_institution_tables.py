"""The institution page's SDG positions and metric tables, written as HTML in the reader's language, and the SDG
chip: the expected cells come from the demo's tables, formatted here as French writes numbers."""

from __future__ import annotations

import re
import warnings
from decimal import Decimal
from html import unescape

import polars as pl
import pytest

from impactrank.web.chips import chip

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FRENCH = str.maketrans({",": "\u202f", ".": ","})  # CLDR: a narrow no-break space groups, a comma marks decimals


def fr(value: float, decimals: int) -> str:
    return "–" if value is None else f"{Decimal(value):,.{decimals}f}".translate(FRENCH)


def cells(row: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", row)


@pytest.fixture(scope="module")
def page(demo_build):
    """An institution of 2021 absent from 2020 with a missing metric, and its page in French."""
    from impactrank.web.app import create_app

    ed, before = demo_build.editions[2021], demo_build.editions[2020]
    missing = ed.metric_scores.filter(pl.col("missing"))["institution_id"].unique().sort()
    iid = next(i for i in missing if i not in set(before.institutions["institution_id"]))
    with TestClient(create_app(demo_build.workspace)) as client:
        html = client.get(f"/editions/2021/institutions/{iid}?lang=fr").text
    return ed, iid, html


def test_metric_tables_in_french(page):
    ed, iid, html = page
    mine = ed.metric_scores.filter(pl.col("institution_id") == iid)
    sdgs = sorted(ed.sdg_scores.filter(pl.col("institution_id") == iid)["sdg"].to_list())
    # each metric named by its methodology's label (English, marked so), its id beside it
    labels = {(s["sdg"], m["id"]): m["label"] for s in ed.methodology["sdgs"] for m in s["metrics"]}

    def named(sdg: int, metric: str) -> str:
        return f'<span lang="en">{labels[sdg, metric]}</span> <code class="muted">{metric}</code>'

    def raw(value: float) -> str:  # to four decimals, without the zeros that end them ("228", not "228,0000")
        text = fr(value, 4)
        return text.rstrip("0").removesuffix(",") if "," in text else text

    expected = [
        [
            [
                named(s, m["metric"]),
                "manquant" if m["missing"] else raw(m["raw"]),
                fr(m["score"], 2),
                fr(m["weight"], 0),
                fr(m["contribution"], 3),
            ]
            for m in mine.filter(pl.col("sdg") == s).iter_rows(named=True)
        ]
        for s in sdgs
        if mine.filter(pl.col("sdg") == s).height
    ]
    tables = re.findall(r'<table class="data metrics">.*?<tbody>\n(.*?)</tbody>', html, re.S)
    got = [[[unescape(c) for c in cells(r)] for r in re.findall(r"<tr>(.*?)</tr>", t)] for t in tables]
    assert got == expected
    assert any(c[1] == "manquant" for t in got for c in t)


def test_sdg_positions_in_an_edition_without_the_institution_say_so(page, demo_build):
    ed, iid, html = page
    sizes = dict(ed.sdg_scores.group_by("sdg").len().iter_rows())
    held_2020 = set(demo_build.editions[2020].sdg_scores["sdg"].to_list())  # the SDG tables 2020 has
    rows = ed.sdg_scores.filter(pl.col("institution_id") == iid).sort("sdg").iter_rows(named=True)
    expected = [
        [
            "non classé" if r["sdg"] in held_2020 else "pas de classement",
            f"{r['rank'] or '–'} / {fr(sizes[r['sdg']], 0)}" + (' <span class="counted">retenu</span>' * r["counted"]),
        ]
        for r in rows
    ]
    table = re.search(r'<table class="data" id="sdg-history">(.*?)</table>', html, re.S).group(1)
    got = [cells(r)[1:] for r in re.findall(r"<tr data-sdg=.*?</tr>", table, re.S)]
    assert got == expected and len(got) > 1


def test_chip_in_the_readers_language():
    # the UN's colours for SDG 7 (yellow: dark ink) and SDG 13 (green: white ink)
    assert chip(7, "es") == (
        '<span class="sdg-chip" style="background: #fcc30b; color: #111111" role="img" aria-label="ODS 7">7</span>'
    )
    assert chip(13, "fr", '/a?x=1&y="2"') == (
        '<a class="sdg-chip" style="background: #3f7e44; color: #ffffff" href="/a?x=1&amp;y=&#34;2&#34;" '
        'aria-label="ODD 13">13</a>'
    )


def test_sdg_profile_rows_in_french(page):
    ed, iid, html = page
    rows = ed.sdg_scores.filter(pl.col("institution_id") == iid).sort("sdg").iter_rows(named=True)
    expected = [
        [
            str(r["sdg"]),
            fr(r["score"], 1),
            fr(r["scaled_score"], 2),
            '<span class="counted">oui</span>' if r["counted"] else "non",
            r["rank"] or '<span class="muted">absent du classement de l’ODD</span>',
        ]
        for r in rows
    ]
    table = re.search(r'<table class="data" id="sdg-scores">.*?<tbody>\n(.*?)</tbody>', html, re.S).group(1)
    got = [
        [re.sub(r"<a [^>]*>(\d+)</a>", r"\1", c) for c in cells(r)]
        for r in re.findall(r"<tr data-sdg=.*?</tr>", table, re.S)
    ]
    assert got == expected and len(got) > 1
    first = ed.sdg_scores.filter(pl.col("institution_id") == iid)["sdg"].min()
    assert f'href="/editions/2021/sdgs/{first}" aria-label="ODD {first}">{first}</a>' in table


def test_a_banded_score_is_said_to_be_shown_as_its_bands_range(demo_build):
    """An edition that shows a band's scores as the band's range hides the exact terms of the formula: the page
    says so with the range, rather than that there is no overall score to explain."""
    from impactrank.web.app import create_app

    ed = demo_build.editions[2021]
    banded = ed.overall.filter(pl.col("band").is_not_null() & pl.col("overall_display").str.contains("–"))
    row = banded.sort("institution_id").row(0, named=True)
    with TestClient(create_app(demo_build.workspace)) as client:
        page = client.get(f"/editions/2021/institutions/{row['institution_id']}?lang=fr").text
    low, high = row["overall_display"].split("–")
    assert f"fourchette de sa tranche, {low.replace('.', ',')}–{high.replace('.', ',')}, comme THE" in page
    assert "Aucun score global à expliquer" not in page
