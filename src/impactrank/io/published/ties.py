"""Tied ranks a scrape lost ("=12" saved as 0), rebuilt from the displayed scores and the published ranks
around them, and published ranks that disagree with the score order, flagged but kept.

THE ranks on the displayed score (equal score, same rank "=n", next rank skipped), then corrects a table
after launch by inserting late or corrected institutions "in its correct position" without renumbering
the others (its 2019 editor's note; in the 2021 overall table score order disagrees with 4 of the 45
published top-100 ranks). So a published rank is the launch rank, and the rank of a lost tie is read
from its neighbours, not recounted over the whole table:

* a tie group (consecutive rows with equal displayed score) takes the rank a member still shows;
* otherwise it continues the numbering of the nearest group above with a known rank (its rank plus the
  rows between them) and must agree with the nearest group below (its rank minus the rows between);
  when both agree (or there is nothing below) the rank is certain: ``rank_reconstructed``;
* when they disagree, a late insertion lies between them and either rank is possible: the row keeps the
  interval of both, ``rank_reconstructed;rank_ambiguous``;
* either way the rank stays after the published rank above and before the one below (level with them only
  when they leave no rank between), so a rebuilt row is never listed before a published row it follows;
* a published rank other than its position in score order is kept as published: ``rank_off_score_order``;
* rows sharing a published rank without the "=" mark get it back: ``rank_tie_restored``.
"""

from __future__ import annotations

import re
from collections import Counter

from impactrank.io.published.parse import Rank, parse_score
from impactrank.io.published.rows import RawRow

_INDIVIDUAL = re.compile(r"\s*(=?)\s*(\d{1,6})\s*")


def rebuild_ties(rows: list[RawRow], scores: list[str]) -> None:
    """Set ``rank_fixed`` and add flags on ``rows`` (one table, in published order); ``scores`` are the
    displayed scores the table is ranked on (overall, or the SDG score of an SDG table)."""
    idx, published, shown = [], [], []
    for i, r in enumerate(rows):
        m = _INDIVIDUAL.fullmatch(r.rank or "")
        if m:
            idx.append(i)
            published.append(int(m.group(2)))
            s = parse_score(scores[i])
            shown.append(s.exact if s is not None else None)
    if not idx:
        return
    shared = Counter(p for p in published if p)
    exact = sorted((s for s in shown if s is not None), reverse=True)
    for k, (p, s) in enumerate(zip(published, shown, strict=True)):
        if not p:
            continue
        row = rows[idx[k]]
        if s is not None and p != 1 + _count_above(exact, s):
            row.flags.append("rank_off_score_order")
        if shared[p] > 1 and not row.rank.strip().startswith("="):
            row.rank_fixed = Rank(p, p, tied=True)
            row.flags.append("rank_tie_restored")

    groups = _groups(shown)
    known: dict[int, int] = {}
    for g, (a, b) in enumerate(groups):
        values = {published[k] for k in range(a, b) if published[k]}
        if len(values) == 1:
            known[g] = values.pop()
    for g, (a, b) in enumerate(groups):
        zeros = [k for k in range(a, b) if not published[k]]
        if not zeros:
            continue
        if g in known:
            low = high = known[g]
        else:
            above = max((h for h in known if h < g), default=None)
            below = min((h for h in known if h > g), default=None)
            up = known[above] if above is not None else None
            down = known[below] if below is not None else None
            low = up + (a - groups[above][0]) if up is not None else a + 1
            high = down - (groups[below][0] - a) if down is not None else low
            floor, ceiling = _between(up, down)
            low, high = sorted(min(max(v, floor), ceiling) for v in (low, high))
        for k in zeros:
            row = rows[idx[k]]
            row.rank_fixed = Rank(max(low, 1), max(high, 1), tied=True)
            row.flags.append("rank_reconstructed")
            if high != low:
                row.flags.append("rank_ambiguous")


def _between(above: int | None, below: int | None) -> tuple[int, int]:
    """The ranks a group may take between its published neighbours: after the rank above and before the one
    below, or level with either when they leave no rank between them (a late insertion)."""
    floor = above + 1 if above is not None else 1
    ceiling = below - 1 if below is not None else 1 << 62
    if floor > ceiling:
        floor, ceiling = (above, max(above, below)) if above is not None else (1, max(below, 1))
    return floor, ceiling


def _count_above(descending: list[float], score: float) -> int:
    """How many displayed scores are strictly higher (``descending`` sorted high to low)."""
    lo, hi = 0, len(descending)
    while lo < hi:
        mid = (lo + hi) // 2
        if descending[mid] > score:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _groups(shown: list[float | None]) -> list[tuple[int, int]]:
    """[start, end) of each run of equal displayed scores; a missing score is a group of its own."""
    groups, a = [], 0
    for i in range(1, len(shown) + 1):
        if i == len(shown) or shown[i] is None or shown[i] != shown[a]:
            groups.append((a, i))
            a = i
    return groups
