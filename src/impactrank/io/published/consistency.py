"""Countries the source got wrong: a row whose name places it in another country, and a country whose
institutions mostly belong to another (THE's scrape files Nigeria's universities under Niger). Rows are
flagged, never changed: a corrections file (``corrections.py``) applies what a person accepts."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from impactrank.countries import country_name
from impactrank.io.identity import name_key
from impactrank.io.published.places import contradiction, places_in

CONTRADICTS_NAME = "country_contradicts_name"
MOSTLY_ELSEWHERE = "country_mostly_elsewhere"


def check_countries(rows: Iterable[tuple[str, str | None, list[str]]]) -> list[dict]:
    """Flag every (name, country code, flags) row of an edition's tables whose country looks wrong, and return
    one suggestion per institution: name, country, suggested country, flags and the evidence in words (and as
    facts: the place in the name, the majority elsewhere).

    A country's institutions mostly point elsewhere when more than half of them, and at least two, point to
    one other country — by a place in the name, or by the same name listed under that country in another of
    the edition's tables — and a name places one of them there (a listing under two countries alone does not
    say which is wrong)."""
    rows = [r for r in rows if r[0] and r[1]]
    pairs = dict.fromkeys((name, country) for name, country, _ in rows)  # each institution once, in table order
    listed: dict[str, set[str]] = defaultdict(set)
    for name, country in pairs:
        listed[name_key(name)].add(country)
    places = {(name, country): contradiction(name, country) for name, country in pairs}
    pointers: dict[str, Counter[str | None]] = defaultdict(Counter)
    supported: dict[str, set[str]] = defaultdict(set)  # the other countries a name of the country is placed in
    for (name, country), found in places.items():
        others = listed[name_key(name)] - {country}
        target = found[0] if found else next(iter(others)) if len(others) == 1 else None
        pointers[country][target] += 1
        near = places_in(name)[1]
        if found or (target and target in near and country not in near):
            supported[country].add(target)
    moved = {}
    for country, counts in pointers.items():
        target, n = max(((t, k) for t, k in counts.items() if t), key=lambda tk: tk[1], default=(None, 0))
        if n >= 2 and 2 * n > sum(counts.values()) and target in supported[country]:
            moved[country] = (target, n, sum(counts.values()))
    suggestions = {}
    for (name, country), found in sorted(places.items()):
        flags, why, suggested, place, majority = [], [], None, None, None
        if found:
            suggested, place = found
            flags.append(CONTRADICTS_NAME)
            why.append(f"{place} is in {country_name(suggested)}")
        if country in moved and country not in places_in(name)[1]:
            target, n, total = moved[country]
            suggested = suggested or target
            flags.append(MOSTLY_ELSEWHERE)
            majority = {"count": n, "of": total, "country": target}
            why.append(f"{n} of the {total} institutions under {country_name(country)} are in {country_name(target)}")
        if flags:
            suggestions[(name, country)] = {
                "name": name,
                "country": country,
                "suggested": suggested,
                "flags": flags,
                "evidence": "; ".join(why),
                "place": place,  # the evidence as facts, for a reader's language: a place the name holds,
                "majority": majority,  # and how many of the country's institutions are in another
            }
    for name, country, row_flags in rows:
        if (name, country) in suggestions:
            row_flags.extend(suggestions[(name, country)]["flags"])
    return list(suggestions.values())
