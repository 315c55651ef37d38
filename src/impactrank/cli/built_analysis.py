"""``whatif`` and ``advise`` on a built edition, as the reader's language writes them: before and after for the
whole field re-scored, and which SDGs to submit, the gap to the next band, the metrics that gain most."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from impactrank.cli.common import console, figures_table
from impactrank.cli.text import _, ngettext, num, sdg_name, shown


def print_whatif(institution: str, edition: str, result, averaged: bool) -> None:
    """Before and after: the overall score, rank and best SDGs, every SDG, and the changed metrics."""
    o = {r["side"]: r for r in result.overall.iter_rows(named=True)}
    title = _("%(institution)s in edition %(edition)s: before and after", institution=institution, edition=edition)
    table = Table(title=Text(title), title_justify="left")
    for col in ("", _("before"), _("after")):
        table.add_column(col, justify="left" if not col else "right")
    averaging = [(_("single-year score"), "single_year_score")] if averaged else []
    for label, key in (
        (_("overall score"), "overall_score"),
        *averaging,  # the previous editions' single-year scores stay as they were
        (_("rank"), "rank"),
        (_("position"), "rank_position"),  # the exact place behind a band: what a change moves first
        (_("best SDGs"), "top_sdgs"),
    ):
        table.add_row(label, *(_value(key, o[side][key]) for side in ("before", "after")))
    console.print(table)
    sdgs = figures_table(
        _("SDG scores"),
        (
            _("SDG"),
            _("score before"),
            _("score after"),
            _("scaled before"),
            _("scaled after"),
            _("rank before"),
            _("rank after"),
        ),
    )
    for r in result.sdgs.iter_rows(named=True):
        sdgs.add_row(
            str(r["sdg"]),
            num(r["score_before"], 2),
            num(r["score_after"], 2),
            num(r["scaled_score_before"], 2),
            num(r["scaled_score_after"], 2),
            shown(r["rank_before"]),
            shown(r["rank_after"]),
        )
    console.print(sdgs)
    metrics = Table(title=_("Changed metrics"), title_justify="left")
    for col in (_("SDG"), _("metric"), _("raw before"), _("raw after"), _("score before"), _("score after")):
        metrics.add_column(col, justify="left" if col == _("metric") else "right")
    for r in result.metrics.iter_rows(named=True):
        metrics.add_row(
            str(r["sdg"]),
            Text(r["metric"]),
            num(r["raw_before"], 2),
            num(r["raw_after"], 2),
            num(r["score_before"], 2),
            num(r["score_after"], 2),
        )
    console.print(metrics)
    console.print(
        ngettext(
            "%(count)s other institution changes overall rank position.",
            "%(count)s other institutions change overall rank position.",
            result.others_moved,
        ),
        highlight=False,
    )


def _value(key: str, value) -> str:
    if key.endswith("_score"):
        return num(value, 2)
    if key == "top_sdgs":
        return ", ".join(sdg_name(int(k)) for k in (value or "").split(";") if k) or "–"
    return shown(None if value is None else str(value))


def print_advice(institution: str, edition: str, advice, previous_editions: list[str], methodology) -> None:
    """Which SDGs to submit and why, the gap to the next band or rank, and the largest gains."""
    heading = Text(
        _(
            "%(institution)s in edition %(edition)s: submitted SDGs %(sdgs)s",
            institution=institution,
            edition=edition,
            sdgs=", ".join(map(str, advice.submitted)),
        )
    )
    heading.highlight_words([institution], "bold")
    console.print(heading, highlight=False)
    if not advice.eligible:
        needs = _needs(advice, methodology.overall.required_sdg)
        console.print(Text(_("Not in the overall table: %(needs)s.", needs=needs)), highlight=False)
    else:
        scaled = ", ".join(f"{sdg_name(s)} {num(advice.scaled[s], 1)}" for s in advice.recommended)
        line = _(
            "Submit SDGs %(sdgs)s for the best overall score, %(score)s (scaled: %(scaled)s); other SDGs do not "
            "change it.",
            sdgs=", ".join(map(str, advice.recommended)),
            score=num(advice.best_score, 2),
            scaled=scaled,
        )
        console.print(Text(line), highlight=False)
        g = advice.gap
        if g is not None and g.target_position is not None:
            line = _(
                "Position %(position)s (%(current)s); %(points)s overall points more reach %(target)s (position "
                "%(target_position)s).",
                position=num(g.position),
                current=_place(g.current, g.position),
                points=num(g.points, 2),
                target=_place(g.target, g.target_position),
                target_position=num(g.target_position),
            )
            console.print(Text(line), highlight=False)
        elif g is not None:
            console.print(_("Position %(position)s: the top of the table.", position=num(g.position)), highlight=False)
    if previous_editions and advice.eligible:
        line = _(
            "Scores, gaps and gains are published points: this year's single-year score averaged with edition "
            "%(editions)s's (methodology %(methodology)s).",
            editions=", ".join(previous_editions),
            methodology=methodology.id,
        )
        console.print(Text(line), highlight=False)
    table = Table(title=_("Largest gains in overall score per unit of improvement"), title_justify="left")
    for col, left in ((_("SDG"), False), (_("metric"), True), (_("counted"), False), (_("unit of improvement"), True)):
        table.add_column(col, justify="left" if left else "right")
    table.add_column(_("gain"), justify="right")
    for r in advice.gains.iter_rows(named=True):
        gain = "–" if r["gain"] is None else ("+" if r["gain"] >= 0 else "") + num(r["gain"], 3)
        table.add_row(str(r["sdg"]), Text(r["metric"]), _("yes") if r["counted"] else _("no"), _unit(r), gain)
    console.print(table)


def _needs(advice, required: int) -> str:
    """What an institution lacks to enter the overall table: "submit SDG 17 and 2 more SDG(s) besides SDG 17"."""
    parts = [sdg_name(advice.missing_required)] if advice.missing_required is not None else []
    if advice.missing_others:
        parts.append(
            _("%(count)s more SDG(s) besides %(sdg)s", count=num(advice.missing_others), sdg=sdg_name(required))
        )
    return _("submit %(what)s", what=(" " + _("and") + " ").join(parts))


def _place(band: str | None, position: int) -> str:
    return shown(band) if band is not None else _("rank %(rank)s", rank=num(position))


def _digits(value: float) -> str:
    """A raw value with four significant digits, in the reader's digits."""
    return shown(f"{value:.4g}")


def _unit(r: dict) -> str:
    """One unit of improvement in words, from the engine's facts."""
    step, before, after = r["step"], r["value_from"], r["value_to"]
    if step == "rubric":
        return _("answer '%(item)s' fully (one rubric item)", item=r["item"])
    if step == "median":
        if r["item"] == "rate":
            return _("provide it, at the field median rate (%(median)s)", median=_digits(after))
        return _("provide it, at the field median value (%(median)s)", median=_digits(after))
    if step == "from_zero":
        return _("raise it from 0 to the field median (%(median)s)", median=_digits(after))
    change = f"{_digits(before)} → {_digits(after)}"
    if step == "rate":
        sign = "−" if after < before else "+"
        return _("%(sign)s1 percentage point of the rate (%(change)s)", sign=sign, change=change)
    return _("%(step)s (%(change)s)", step=("−" if after < before else "+") + "10 %", change=change)
