"""A forecast of next edition's band worded in the reader's language: the one line a summary or a page shows,
the part of next year's score already fixed, and the assumptions behind it (from the catalogs)."""

from __future__ import annotations

from impactrank.engine.forecast import Forecast
from impactrank.engine.forecast.simulate import LEVEL
from impactrank.i18n import gettext, number, number_range, percent, shown
from impactrank.report.typography import punctuate


def next_year_line(fc: Forecast, row: dict, lang: str) -> str:
    """ "Next year (2024): most likely 101–200, 80 % between 101–200 and 201–300"."""
    params = {
        "year": fc.next_year,
        "band": shown(row["most_likely"], lang),
        "low": shown(row["interval_low"], lang),
        "high": shown(row["interval_high"], lang),
        "level": percent(100 * LEVEL, lang, 0),
    }
    if row["interval_low"] == row["interval_high"]:
        text = gettext("Next year (%(year)s): most likely %(band)s, %(level)s in %(low)s", lang)
    else:
        text = gettext("Next year (%(year)s): most likely %(band)s, %(level)s between %(low)s and %(high)s", lang)
    return punctuate(text % params, lang)


def chances_line(row: dict, lang: str) -> str:
    """How likely the most likely band and the interval are, and an individual rank."""
    params = {
        "band": percent(100 * row["probability"], lang, 0),
        "interval": percent(100 * row["interval_probability"], lang, 0),
        "top": percent(100 * row["top_probability"], lang, 0),
    }
    text = gettext(
        "Chances: %(band)s for the most likely band, %(interval)s for the interval, %(top)s for an individual "
        "rank (top 100)",
        lang,
    )
    return punctuate(text % params, lang)


def fixed_line(fc: Forecast, row: dict, lang: str) -> str | None:
    """The part of next year's published score this year's single-year score already fixes (None: none)."""
    if len(fc.rule.weights) < 2:
        return None
    text = gettext("Already fixed by this year's score: %(fixed)s points of next year's published score", lang)
    return punctuate(text % {"fixed": number_range(row["fixed_low"], row["fixed_high"], lang, 1)}, lang)


def assumption_lines(fc: Forecast, lang: str) -> list[str]:
    """Every assumption the forecast rests on, one line each."""
    rule = fc.rule
    params = {"year": rule.year, "methodology": rule.methodology}
    if len(rule.weights) == 1:
        line = gettext("%(year)s's published score is its single-year score (methodology %(methodology)s)", lang)
    else:
        params |= {"this": number(rule.weights[0], lang, 2), "previous": number(rule.weights[1], lang, 2)}
        line = gettext(
            "%(year)s's published score is %(this)s × its single-year score + %(previous)s × the year before's "
            "(methodology %(methodology)s); a newcomer keeps its own",
            lang,
        )
    lines = [line % params]
    if rule.assumed:
        lines[0] += gettext(", assumed: no methodology of %(year)s is known, the latest is used", lang) % params
    low, high = fc.field_sizes
    params = {
        "size": number(low, lang) if low == high else number_range(low, high, lang, 0),
        "now": number(fc.this_size, lang),
        "leaving": percent(100 * fc.leaving, lang, 0),
    }
    lines.append(
        gettext(
            "Field: %(size)s institutions (%(now)s this year), grown as the participants grew last year, that growth "
            "slowed as it slowed in one year of the series, each such year as likely; %(leaving)s of this year's "
            "institutions leave, as many at their level left before, and newcomers, scored as past newcomers were, "
            "fill the rest",
            lang,
        )
        % params
    )
    lines.append(
        gettext(
            "Movement: each SDG score moves as those of the %(k)s returning institutions nearest its level in that SDG "
            "did (%(pairs)s: %(n)s pairs), an institution's SDGs together as much as they did (correlation "
            "%(together)s); next year's single-year score is SDG 17 and the best three others, by the rule",
            lang,
        )
        % {
            "k": fc.neighbours,
            "pairs": "; ".join(fc.pairs),
            "n": number(fc.sdg_pairs, lang),
            "together": number(fc.together, lang, 2),
        }
    )
    lines.append(gettext("The chances are those of an institution that is in next year's table", lang))
    lines.append(gettext("A score published as a range lies anywhere in it, each value as likely", lang))
    if fc.planned:
        d_lo, d_hi = fc.planned_change
        planned = ", ".join(
            gettext("SDG %(sdg)s at %(score)s", lang) % {"sdg": k, "score": number(v, lang, 1)}
            for k, v in sorted(fc.planned.items())
        )
        lines.append(
            gettext(
                "Planned: %(planned)s, moving this year's single-year score by %(low)s to %(high)s (this year's "
                "scaling), then as others at that level moved",
                lang,
            )
            % {"planned": planned, "low": number(d_lo, lang, 1), "high": number(d_hi, lang, 1)}
        )
    return [punctuate(line, lang) for line in lines]


def summary_facts(fc: Forecast, data: dict, lang: str) -> tuple[list[str], dict | None]:
    """The summary's line on its subject's best-placed institution (a group's first ranked member, else the
    country's or the table's leader), and where its assumptions are; with the forecast's row for the data."""
    group, country, world = data.get("group"), data.get("country"), data.get("world_leaders")
    if group and group.get("ranked"):
        iid, name = group["ranked"][0]["institution_id"], group["ranked"][0]["name"]
    elif country and country.get("leaders"):
        iid, name = country["leaders"]["ids"][0], country["leaders"]["names"][0]
    elif world:
        iid, name = world["ids"][0], world["names"][0]
    else:
        return [], None
    rows = fc.table.filter(fc.table["institution_id"] == iid)
    if rows.height == 0:
        return [], None
    row = rows.row(0, named=True)
    command = f"impactrank forecast --edition {fc.edition} --institution {iid}"
    return [
        f"{name} — {next_year_line(fc, row, lang)}",
        gettext("The forecast's assumptions: %(command)s", lang) % {"command": command},
    ], row
