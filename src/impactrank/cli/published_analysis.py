"""``whatif`` and ``advise`` on a published edition: the institution's overall score recomputed by the
edition's reproduced rule from SDG scores it knows, and where it would stand."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.text import Text

from impactrank.cli.common import console, figures_table, load_previous, open_workspace
from impactrank.cli.text import _, clauses, num, sdg_name, shown, span
from impactrank.engine.tables.edition import Edition
from impactrank.errors import N_, InputError


def parse_sdg_settings(texts: list[str]) -> dict[int, float]:
    """ "13=80" pairs; an SDG given twice is an error."""
    out: dict[int, float] = {}
    for text in texts:
        sdg, sep, value = text.partition("=")
        try:
            k, v = int(sdg.strip().upper().removeprefix("SDG").strip()), float(value.strip().replace(",", "."))
        except ValueError:
            raise InputError(
                N_("%(text)s is not SDG=SCORE (e.g. 13=80)"), field="set-sdg", params={"text": repr(text)}
            ) from None
        if not sep:
            raise InputError(N_("%(text)s is not SDG=SCORE (e.g. 13=80)"), field="set-sdg", params={"text": repr(text)})
        if k in out:
            raise InputError(N_("SDG %(sdg)s is set twice"), field="set-sdg", params={"sdg": k})
        out[k] = v
    return out


def load_for_rescoring(
    workspace: Path, edition: str, previous_edition: str | None, wait: float
) -> tuple[Edition, Edition | None]:
    """The edition with its stored inputs (a built one is re-scored from them) and, for a published one, its
    previous edition (its reproduced rule may average with it); one opening of the workspace."""
    with open_workspace(workspace, wait, read_only=True) as ws:
        ed = ws.load(edition, inputs=True)
        return ed, (load_previous(ws, ed, previous_edition) if ed.kind == "imported" else None)


def rule_words(previous_edition: str | None) -> str:
    """The edition's reproduced rule in words: single-year, or the two-year average with ``previous_edition``."""
    if previous_edition is None:
        return _("single-year: each SDG min–max over its SDG table, 0.22 × SDG 17 + 0.26 × (best three)")
    return _(
        "two-year average: the mean of this year's single-year score and last year's (%(previous)s); a newcomer "
        "keeps its single-year score",
        previous=previous_edition,
    )


def print_whatif(result, fmt: str) -> None:
    from impactrank.engine.scenarios.whatif_published import PublishedWhatIf

    assert isinstance(result, PublishedWhatIf)
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(), indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        return
    heading = _(
        "%(name)s in edition %(edition)s (%(rule)s)",
        name=result.name or result.institution_id,
        edition=result.edition,
        rule=rule_words(result.previous_edition),
    )
    console.print(Text(heading), highlight=False)
    table = figures_table(_("SDG scores used"), (_("SDG"), _("published"), _("used"), _("set")))
    for r in result.inputs:
        lo, hi = r["used"]
        used = num(lo, 1) if lo == hi else span(lo, hi)
        published = shown(r["published"]) if r["published"] else _("not submitted")
        table.add_row(str(r["sdg"]), published, used, _("yes") if r["set"] else "")
    console.print(table)
    point = (
        ""
        if result.overall_point is None
        else " (" + _("at the displayed values: %(score)s", score=num(result.overall_point, 1)) + ")"
    )
    best = ", ".join(map(sdg_name, result.best_sdgs))
    console.print(
        Text(
            clauses(
                _("overall score %(score)s", score=shown(result.overall)) + point,
                _("best SDGs: %(sdgs)s", sdgs=best),
            )
        ),
        highlight=False,
    )
    rank = shown(result.rank)
    if result.band_low:  # its two ends in different bands
        rank = _("%(rank)s (%(low)s to %(high)s)", rank=rank, low=shown(result.band_low), high=shown(result.band_high))
    place = _("place: %(rank)s", rank=rank)
    if result.published_rank:
        place += (
            " ("
            + _(
                "published: %(rank)s, %(score)s",
                rank=shown(result.published_rank),
                score=shown(result.published_overall),
            )
            + ")"
        )
    if result.others_recomputed:
        place = clauses(place, _("the SDG tables' extremes moved, so every other row was recomputed"))
    console.print(Text(place), highlight=False)


def _target(advice) -> str | None:
    """What the advice aims at, in words: the next band up, the rank just above, or an individual rank."""
    if advice.target == "band":
        return _("the %(band)s band", band=shown(advice.target_label))
    if advice.target == "rank":
        return _("rank %(rank)s", rank=shown(advice.target_label))
    return _("an individual rank") if advice.target == "ranked" else None


def print_advice(advice, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(advice.to_dict(), indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        return
    target = _target(advice)
    line = _(
        "%(name)s in edition %(edition)s: %(current)s (overall %(overall)s); target %(target)s",
        name=advice.name or advice.institution_id,
        edition=advice.edition,
        current=shown(advice.current),
        overall=shown(advice.overall),
        target=target or "–",
    )
    if advice.threshold is not None:
        line += " (" + _("overall above %(score)s", score=num(advice.threshold, 1)) + ")"
    console.print(Text(line), highlight=False)
    if advice.target is None:
        console.print(_("At the top of the table."), highlight=False)
    elif not advice.levers:
        console.print(Text(_("No single SDG score reaches %(target)s, even at 100.", target=target)), highlight=False)
    table = figures_table(
        _("SDG score that reaches the target, smallest gain first"),
        (_("SDG"), _("now"), _("counted"), _("certainly from"), _("possibly from")),
    )
    for r in advice.levers:
        table.add_row(
            str(r["sdg"]),
            shown(r["published"]) if r["published"] else _("not submitted"),
            _("yes") if r["counted"] else "",
            _score(r["needed_certain"], r["gain_certain"]),
            _score(r["needed_possible"], r["gain_possible"]),
        )
    if advice.levers:
        console.print(table)
    if advice.next_year:
        title = _("Next year under the two-year average: single-year score needed")
        nxt = figures_table(title, (_("band"), _("overall above"), _("next single-year score, certain"), _("possibly")))
        for r in advice.next_year:
            nxt.add_row(shown(r["band"]), num(r["threshold"], 2), _maybe(r["certain"]), _maybe(r["possible"]))
        console.print(nxt)
        console.print(
            _("(assuming next year's band boundaries are this year's; above 100 is out of reach)"), highlight=False
        )


def _score(needed: float | None, gain: float | None) -> str:
    if needed is None:
        return _("out of reach")
    return num(needed, 1) + (f" (+{num(gain, 1)})" if gain is not None else "")


def _maybe(v: float | None) -> str:
    return _("out of reach") if v is None or v > 100 else num(max(v, 0.0), 1)
