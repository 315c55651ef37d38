"""One institution's results in an edition, as plain data: what the portal shows its members under embargo and
what its press kit words — overall rank or band and score, national place, every SDG position best first,
the comparison with the previous edition and how the overall score arises. Gathered by the summaries' own
:func:`impactrank.report.summary.gather` (the institution as a group of one, its country then spoken of), so
a fact is established once, whichever text states it."""

from __future__ import annotations

from typing import Any

import polars as pl

from impactrank.engine.tables.edition import Edition
from impactrank.engine.tables.shown import decimals, score_text, visible
from impactrank.errors import N_, InputError
from impactrank.report.summary import gather


def institution_facts(edition: Edition, previous: Edition | None, institution_id: str) -> dict[str, Any]:
    """Every fact of one institution's results, JSON-ready; an id the edition does not hold is refused by name."""
    inst = edition.institution(institution_id)
    if previous is not None and previous.id == edition.id:
        raise InputError(N_("compare with a different edition"), field="compare")
    edition.require_overall()
    members = pl.DataFrame({"group": [institution_id], "institution_id": [institution_id]})
    data = gather(edition, previous, None, institution_id, members)
    group, country = data["group"], data["country"]
    ranked = group["ranked"][0] if group["ranked"] else None
    comparison = data["comparison"]
    row = comparison["rows"][0] if comparison and comparison["rows"] else None
    sdgs = data["member_sdgs"][0]["positions"] if data["member_sdgs"] else []
    return {
        "edition": edition.id,
        "year": edition.year,
        "kind": edition.kind,
        "field_size": edition.field_size,
        "ranking": (edition.methodology or {}).get("label"),
        "previous": data["previous"],
        "institution": {"id": institution_id, "name": inst["name"], "country": inst["country"]},
        "overall": _overall(edition, institution_id, ranked),
        "national": _national(country, ranked, institution_id),
        "comparison": None
        if row is None
        else {
            "status": row["status"],
            "movement": row["movement"],
            "relative_only": _relative_only(row),
            "rank_from": row["rank_from"],
            "rank_to": row["rank_to"],
            "field_from": comparison["field_from"],
            "field_to": comparison["field_to"],
            "share_from": row["pct_from"],
            "share_to": row["pct_to"],
        },
        "sdgs": sdgs,
        "explanation": _explanation(edition, previous, institution_id),
    }


_RANKS_SAY = {"progressed": "better", "declined": "worse", "maintained": "same"}


def _relative_only(row: dict) -> bool:
    """Whether the movement holds only relative to the field's size, the ranks alone saying otherwise (joint 11th
    of 768 to 15th of 1,117 progressed; the same band in a larger field too): the text then says so."""
    return row["movement"] in _RANKS_SAY and row["rank_change"] != _RANKS_SAY[row["movement"]]


def _overall(edition: Edition, institution_id: str, ranked: dict | None) -> dict | None:
    if ranked is None:
        return None
    shown = visible(edition.overall.filter(pl.col("institution_id") == institution_id)).row(0, named=True)
    places = decimals(edition)
    score = shown.get("overall_display") or score_text(
        shown["overall_score"], shown["overall_low"], shown["overall_high"], places
    )
    return {
        "rank": ranked["rank"],
        "banded": ranked["banded"],
        "tied": str(ranked["rank"]).startswith("="),
        "rank_high": shown["rank_high"],
        "score": score,
        "top_sdgs": [int(s) for s in (shown.get("top_sdgs") or "").split(";") if s],
    }


def _national(country: dict | None, ranked: dict | None, institution_id: str) -> dict | None:
    if country is None or ranked is None or ranked["national_rank"] is None:
        return None
    return {
        "country": country["code"],
        "rank": ranked["national_rank"],
        "position": ranked["national_position"],
        "tied": ranked["national_tied"],
        "count": country["count"],
        "previous_count": country["previous_count"],
        "others_sharing": _others_at(country, ranked, institution_id),
    }


def _others_at(country: dict, ranked: dict, institution_id: str) -> int:
    """How many others share the institution's first national place: counted, never named, so that one
    institution's results under embargo say nothing of another's."""
    if ranked["national_position"] != 1 or not country["leaders"]:
        return 0
    return len([i for i in country["leaders"]["ids"] if i != institution_id])


def _explanation(edition: Edition, previous: Edition | None, institution_id: str) -> dict | None:
    """The overall score's formula with the SDGs it counts: recomputed from the stored tables of a built edition,
    reproduced from the published tables of an imported one. None when the institution has no overall score."""
    try:
        if edition.kind == "built":
            from impactrank.engine.views.explain import explain_institution

            ex = explain_institution(edition, institution_id)
            terms = ex.formula
            return {"formula": terms and terms.to_dict(), "counted": [s.sdg for s in ex.sdgs if s.counted]}
        from impactrank.engine.published.explain import reproduce_institution

        rep = reproduce_institution(edition, institution_id, previous)
        return {"formula": rep.formula.to_dict(), "counted": [s.sdg for s in rep.sdgs if s.counted]}
    except InputError:
        return None
