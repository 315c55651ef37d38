"""What a command writes for a reader, in the language its ``--lang`` chose (:func:`impactrank.cli.options.check_lang`
sets it for the run): sentences from the gettext catalogs, numbers in the reader's style through
:mod:`impactrank.i18n.formats`, and a table's column headings and cells. ``--help`` stays English; exports
(csv, json …) keep their column ids and raw values, so a file reads the same in every language."""

from __future__ import annotations

from impactrank.countries import country_name
from impactrank.errors import N_
from impactrank.i18n import catalogs, gettext, number, number_range, percent, sdg_label
from impactrank.i18n import shown as shown_in
from impactrank.i18n.templates import current


def _(message: str, **params: object) -> str:
    """``message`` from the catalog in the run's language, its ``%(name)s`` placeholders filled."""
    text = gettext(message, current())
    return text % params if params else text


def clauses(first: str, *more: str) -> str:
    """Clauses joined by semicolons as the language writes them ("a; b", French "a ; b")."""
    for clause in more:
        first = _("%(first)s; %(then)s", first=first, then=clause)
    return first


def ngettext(singular: str, plural: str, count: int, **params: object) -> str:
    """The singular or plural form for ``count`` (given as ``%(count)s``, in the reader's digits)."""
    return catalogs.ngettext(singular, plural, count, current()) % {"count": num(count), **params}


def num(value: float | int | None, decimals: int = 0) -> str:
    """1117 → "1,117" / "1 117" / "1.117"; None is "–"."""
    return number(value, current(), decimals)


def pct(value: float | None, decimals: int = 1) -> str:
    return percent(value, current(), decimals)


def span(low: float | None, high: float | None, decimals: int = 1) -> str:
    """An interval: "56.6–66.2" / "56,6–66,2"."""
    return number_range(low, high, current(), decimals)


def sdg_name(goal: int) -> str:
    """ "SDG 13" / "ODD 13" / "ODS 13"."""
    return sdg_label(goal, current())


def shown(text: str | None) -> str:
    """A rank, band or displayed score ("=12", "801–1000", "39.2–52.1") in the reader's style."""
    return shown_in(text, current())


# Translators: the column headings of the tables the command line prints. English shows each column's id, as
# in a CSV export of the same table; translate it as a short heading.
HEADINGS = frozenset(
    (
        N_("rank"),
        N_("rank_interval"),
        N_("national_rank"),
        N_("name"),
        N_("country"),
        N_("overall_display"),
        N_("top_sdgs"),
        N_("score"),
        N_("score_low"),
        N_("score_high"),
        N_("band"),
        N_("band_low"),
        N_("count"),
        N_("field_count"),
        N_("status"),
        N_("institution_id"),
        N_("sdg"),
        N_("position"),
        N_("counted"),
        N_("movement"),
        N_("significant"),
    )
)
# The values an engine writes in words, as the reader's language writes them; any other text is data (a name).
WORDS = frozenset(
    (
        N_("ranked"),
        N_("progressed"),
        N_("maintained"),
        N_("declined"),
        N_("new"),
        N_("left"),
        N_("not in the edition"),
        N_("in SDG tables only"),
    )
)
# Columns holding a rank, band or displayed score: their numbers are written in the reader's style. (An SDG
# position, "55 of 1,154 (top 4.8%)", is written whole by the view: read again as a rank, "1,154" lost its comma.)
SHOWN = {"rank", "rank_interval", "national_rank", "overall_display", "band", "band_low", "score"}


def evidence(suggestion: dict) -> str:
    """Why the import finds a row's country wrong, from its facts: "Lagos is in Nigeria; 3 of the 4 institutions
    under Niger are in Nigeria" (a workspace imported before the facts were kept has the English words only)."""
    if "place" not in suggestion:
        return suggestion["evidence"]
    lang, why = current(), []
    if suggestion["place"]:
        country = country_name(suggestion["suggested"], lang)
        why.append(_("%(place)s is in %(country)s", place=suggestion["place"], country=country))
    if (m := suggestion["majority"]) is not None:
        why.append(
            _(
                "%(count)s of the %(total)s institutions under %(country)s are in %(other)s",
                count=num(m["count"]),
                total=num(m["of"]),
                country=country_name(suggestion["country"], lang),
                other=country_name(m["country"], lang),
            )
        )
    return clauses(*why)


def heading(column: str) -> str:
    return _(column) if column in HEADINGS else column


def cell(column: str, value: object) -> str:
    """One table cell as the reader reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return num(value, 1)
    if isinstance(value, int):
        return shown(str(value)) if column in SHOWN else num(value)
    if value in WORDS:
        return _(value)
    return shown(value) if column in SHOWN else str(value)
