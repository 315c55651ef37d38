"""``whatif`` and ``advise`` on a published edition: the institution's overall score recomputed by the
edition's reproduced rule from SDG scores it knows, and where it would stand."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.table import Table
from rich.text import Text

from impactrank.cli.common import console, load_previous, open_workspace
from impactrank.engine.edition import Edition
from impactrank.errors import InputError


def parse_sdg_settings(texts: list[str]) -> dict[int, float]:
    """ "13=80" pairs; an SDG given twice is an error."""
    out: dict[int, float] = {}
    for text in texts:
        sdg, sep, value = text.partition("=")
        try:
            k, v = int(sdg.strip().upper().removeprefix("SDG").strip()), float(value.strip().replace(",", "."))
        except ValueError:
            raise InputError(f"{text!r} is not SDG=SCORE (e.g. 13=80)", field="set-sdg") from None
        if not sep:
            raise InputError(f"{text!r} is not SDG=SCORE (e.g. 13=80)", field="set-sdg")
        if k in out:
            raise InputError(f"SDG {k} is set twice", field="set-sdg")
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


def print_whatif(result, fmt: str) -> None:
    from impactrank.engine.whatif_published import PublishedWhatIf

    assert isinstance(result, PublishedWhatIf)
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(), indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        return
    console.print(
        Text(f"{result.name or result.institution_id} in edition {result.edition} ({result.rule})"), highlight=False
    )
    table = Table(title="SDG scores used", title_justify="left")
    for col in ("SDG", "published", "used", "set"):
        table.add_column(col, justify="right")
    for r in result.inputs:
        lo, hi = r["used"]
        used = f"{lo:.1f}" if lo == hi else f"{lo:.1f}–{hi:.1f}"
        table.add_row(str(r["sdg"]), r["published"] or "not submitted", used, "yes" if r["set"] else "")
    console.print(table)
    point = "" if result.overall_point is None else f" (at the displayed values: {result.overall_point:.1f})"
    console.print(
        f"overall score {result.overall}{point}; best SDGs {';'.join(map(str, result.best_sdgs))}",
        highlight=False,
    )
    console.print(
        f"place: {result.rank}"
        + (f" (published: {result.published_rank}, {result.published_overall})" if result.published_rank else "")
        + ("; the SDG tables' extremes moved, so every other row was recomputed" if result.others_recomputed else ""),
        highlight=False,
    )


def print_advice(advice, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(advice.to_dict(), indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        return
    console.print(
        Text(
            f"{advice.name or advice.institution_id} in edition {advice.edition}: {advice.current} "
            f"(overall {advice.overall}); target {advice.target}"
            + ("" if advice.threshold is None else f" (overall above {advice.threshold:.1f})")
        ),
        highlight=False,
    )
    if advice.target is None:
        console.print("At the top of the table.", highlight=False)
    elif not advice.levers:
        console.print(f"No single SDG score reaches {advice.target}, even at 100.", highlight=False)
    table = Table(title="SDG score that reaches the target, smallest gain first", title_justify="left")
    for col in ("SDG", "now", "counted", "certainly from", "possibly from"):
        table.add_column(col, justify="right")
    for r in advice.levers:
        table.add_row(
            str(r["sdg"]),
            r["published"] or "not submitted",
            "yes" if r["counted"] else "",
            _score(r["needed_certain"], r["gain_certain"]),
            _score(r["needed_possible"], r["gain_possible"]),
        )
    if advice.levers:
        console.print(table)
    if advice.next_year:
        nxt = Table(title="Next year under the two-year average: single-year score needed", title_justify="left")
        for col in ("band", "overall above", "next single-year score, certain", "possibly"):
            nxt.add_column(col, justify="right")
        for r in advice.next_year:
            nxt.add_row(r["band"], f"{r['threshold']:.2f}", _maybe(r["certain"]), _maybe(r["possible"]))
        console.print(nxt)
        console.print(
            "(assuming next year's band boundaries are this year's; above 100 is out of reach)", highlight=False
        )


def _score(needed: float | None, gain: float | None) -> str:
    if needed is None:
        return "out of reach"
    return f"{needed:.1f}" + (f" (+{gain:.1f})" if gain is not None else "")


def _maybe(v: float | None) -> str:
    return "out of reach" if v is None or v > 100 else f"{max(v, 0.0):.1f}"
