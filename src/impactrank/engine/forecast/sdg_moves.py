"""How each SDG's single-year score moves from one edition to the next, by SDG and by level, and next year's
single-year overall score built from the moved SDG scores by the rule (SDG 17 and the best three others).

Scores are taken as THE scales them for the overall score (min–max over each SDG table of that year), so a move
includes the change of the table's range. An SDG score moves as those of the ``NEIGHBOURS`` returning
institutions nearest its level in the same SDG did (one drawn, its next interval drawn within, moved by the
difference of levels). An institution's SDGs move together as much as they did in the series: each draw picks its
neighbour by rank of move, the ranks of one institution's SDGs tied by a Gaussian copula whose correlation is that
of the normal scores of one institution's moves' ranks (each within its own window) in the series.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from impactrank.engine.forecast.series import USABLE_WIDTH
from impactrank.engine.published import reproduce as rp
from impactrank.engine.tables.edition import Edition
from impactrank.errors import N_, InputError
from impactrank.sdgs import N_SDGS

NEIGHBOURS = 50


def scaled_sdgs(edition: Edition) -> pl.DataFrame:
    """institution_id, sdg, lo, hi: the SDG scores of the institutions of the edition's overall table, scaled
    by min–max over each SDG table (intervals: display rounding and band ranges included)."""
    ext = rp.table_extremes(edition)
    rows = (
        edition.sdg_scores.filter(
            pl.col("score_low").is_not_null()
            & pl.col("institution_id").is_in(edition.overall["institution_id"].implode())
        )
        .unique(["institution_id", "sdg"], keep="first", maintain_order=True)
        .select("institution_id", "sdg", "score_low", "score_high")
    )
    sdg = rows["sdg"].to_numpy()
    lo, hi = rp.minmax(
        rows["score_low"].to_numpy() - rp.ROUNDING, rows["score_high"].to_numpy() + rp.ROUNDING, sdg, ext
    )
    keep = ~np.isnan(lo) & ~np.isnan(hi)
    return rows.select("institution_id", "sdg").with_columns(lo=lo, hi=hi).filter(pl.Series(keep))


@dataclass(frozen=True)
class SdgMoves:
    """Pairs (this year's scaled level, next year's scaled interval) of returning institutions, grouped by SDG
    (SDG k's pairs are ``offsets[k - 1]:offsets[k]``), each group sorted by level; and the correlation of one
    institution's SDG moves (the copula's)."""

    mid: np.ndarray
    next_lo: np.ndarray
    next_hi: np.ndarray
    offsets: np.ndarray  # N_SDGS + 1
    together: float

    @property
    def size(self) -> int:
        return int(self.mid.size)

    @property
    def move(self) -> np.ndarray:
        return (self.next_lo + self.next_hi) / 2 - self.mid


def sdg_moves(scaled: list[pl.DataFrame], consecutive: list[bool]) -> SdgMoves:
    """From the series' scaled SDG scores (in order; ``consecutive[k]``: edition k follows edition k − 1)."""
    frames = []
    for k in range(1, len(scaled)):
        if not consecutive[k]:
            continue
        both = scaled[k - 1].join(scaled[k], on=["institution_id", "sdg"], suffix="_next")
        both = both.filter(
            (pl.col("hi") - pl.col("lo") < USABLE_WIDTH) & (pl.col("hi_next") - pl.col("lo_next") < USABLE_WIDTH)
        )
        frames.append(both.with_columns(pair=pl.lit(k), mid=(pl.col("lo") + pl.col("hi")) / 2))
    if sum(f.height for f in frames) == 0:
        raise InputError(
            N_(
                "a forecast learns how SDG scores move from institutions in the SDG tables of two consecutive "
                "editions: the workspace holds no such pair before this edition"
            ),
            field="edition",
        )
    pairs = pl.concat(frames).sort("sdg", "mid", maintain_order=True)
    sdg = pairs["sdg"].to_numpy()
    offsets = np.searchsorted(sdg, np.arange(1, N_SDGS + 2), side="left")
    mid, next_lo, next_hi = (pairs[c].to_numpy() for c in ("mid", "lo_next", "hi_next"))
    moves = SdgMoves(mid, next_lo, next_hi, offsets, 0.0)
    ranks = _mid_ranks(moves, *windows(moves, sdg, mid))
    group = pairs.select(pl.struct("pair", "institution_id").rank("dense")).to_series().to_numpy()
    from scipy.special import ndtri  # loaded where used: a command's start-up need not wait for it

    return SdgMoves(mid, next_lo, next_hi, offsets, _intra_correlation(ndtri(ranks), group))


def windows(moves: SdgMoves, sdg: np.ndarray, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First pair and count of the window of each (SDG, level): the ``NEIGHBOURS`` pairs of that SDG nearest the
    level, widened to whole groups of equal levels (a band's rows share one level, so a window never takes an
    arbitrary part of a band); (0, 0) for an SDG with no pairs."""
    first = np.zeros(level.size, dtype=np.int64)
    width = np.zeros(level.size, dtype=np.int64)
    for k in np.unique(sdg):
        a, b = int(moves.offsets[k - 1]), int(moves.offsets[k])
        rows = sdg == k
        if b == a:
            continue
        mids = moves.mid[a:b]
        n = min(NEIGHBOURS, b - a)
        centred = np.clip(np.searchsorted(mids, level[rows]) - n // 2, 0, b - a - n)
        f = np.searchsorted(mids, mids[centred], side="left")
        stop = np.searchsorted(mids, mids[centred + n - 1], side="right")
        first[rows], width[rows] = a + f, stop - f
    return first, width


_Z_MAX, _PHI_STEPS = 6.0, 8192
_APART = 1000.0  # keys of two windows never meet: a move lies in [-100, 100]


@cache
def _phi() -> np.ndarray:
    """Φ by table: 0.0015 apart in z (made when first needed: scipy loads then, not at a command's start-up)."""
    from scipy.special import ndtr

    return ndtr(np.linspace(-_Z_MAX, _Z_MAX, _PHI_STEPS + 1)).astype(np.float32)


def by_move(moves: SdgMoves, first: np.ndarray, width: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct windows as one flat array of pair indices, each window's pairs ordered by move; where each
    row's window starts in it; and the sort keys (window number × apart + move)."""
    key = first * (moves.size + 1) + width
    distinct, row_window = np.unique(key, return_inverse=True)
    f, w = distinct // (moves.size + 1), distinct % (moves.size + 1)
    starts = np.concatenate([[0], np.cumsum(w)[:-1]])
    window = np.repeat(np.arange(distinct.size), w)
    pair = np.repeat(f, w) + np.arange(int(w.sum())) - np.repeat(starts, w)
    keys = window * _APART + moves.move[pair]
    order = np.argsort(keys, kind="stable")
    return pair[order], starts[row_window], keys[order]


def _mid_ranks(moves: SdgMoves, first: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Each pair's move as a mid-rank share within its own window (rows are the pairs), in (0, 1)."""
    _, start, keys = by_move(moves, first, width)
    window = np.floor((keys[start] + _APART / 2) / _APART)
    query = window * _APART + moves.move
    below = np.searchsorted(keys, query, side="left") - start
    equal = np.searchsorted(keys, query, side="right") - start - below
    return (below + equal / 2) / width  # never 0 or 1: the pair is in its own window


def _intra_correlation(z: np.ndarray, group: np.ndarray) -> float:
    """The correlation of normal scores within an institution's SDGs (one year pair): the sum of cross products
    over their count, each score standardised; clipped to [0, 0.99]."""
    z = (z - z.mean()) / z.std()
    s = np.bincount(group, weights=z)
    q = np.bincount(group, weights=z * z)
    m = np.bincount(group)
    cross = float((s * s - q).sum())
    count = float((m * (m - 1)).sum())
    return float(np.clip(cross / count, 0.0, 0.99)) if count else 0.0


@dataclass(frozen=True)
class Entries:
    """This year's SDG scores of the institutions forecast (rows of the forecast), one entry each: level, and
    where its window's pairs, ordered by move, lie in ``order``; SDG 17 apart, the others in slots per row."""

    row: np.ndarray
    level: np.ndarray  # float32
    order: np.ndarray
    start: np.ndarray
    width: np.ndarray
    required: np.ndarray  # entries of SDG 17
    others: np.ndarray  # entries of SDGs 1–16
    cell: np.ndarray  # flat cell of each of ``others`` in rows × slots
    n_rows: int
    slots: int


def entries(ids: list[str], scaled: pl.DataFrame, moves: SdgMoves) -> Entries:
    """The entries of ``scaled`` (institution_id, sdg, lo, hi) for the institutions ``ids``, in that order; an
    SDG without pairs to learn from is left out (it cannot be moved)."""
    index = pl.DataFrame({"institution_id": ids, "row": np.arange(len(ids))})
    t = scaled.join(index, on="institution_id").sort("row", "sdg")
    first, width = windows(moves, t["sdg"].to_numpy(), ((t["lo"] + t["hi"]) / 2).to_numpy())
    t = t.with_columns(first=first, width=width).filter(pl.col("width") > 0)
    order, start, _ = by_move(moves, t["first"].to_numpy(), t["width"].to_numpy())
    row = t["row"].to_numpy()
    required = np.flatnonzero(t["sdg"].to_numpy() == rp.REQUIRED)
    others = np.flatnonzero(t["sdg"].to_numpy() != rp.REQUIRED)
    slot = t[others].select(pl.int_range(pl.len()).over("row")).to_series().to_numpy()
    slots = max(int(slot.max(initial=-1)) + 1, rp.BEST_K)
    return Entries(
        row=row,
        level=((t["lo"] + t["hi"]) / 2).to_numpy().astype(np.float32),
        order=order,
        start=start,
        width=t["width"].to_numpy(),
        required=required,
        others=others,
        cell=row[others] * slots + slot,
        n_rows=len(ids),
        slots=slots,
    )


def next_single_year(e: Entries, moves: SdgMoves, rng: np.random.Generator, runs: int) -> np.ndarray:
    """Rows × runs: next year's single-year overall scores (0.22 × SDG 17 + 0.26 × the best three others, each
    SDG score moved); an institution missing SDG 17 or its three others counts zero for them, as THE's would."""
    rho = np.float32(moves.together)
    z = rng.standard_normal((e.row.size, runs), dtype=np.float32)
    z *= np.sqrt(1 - rho)
    z += np.sqrt(rho) * rng.standard_normal((e.n_rows, runs), dtype=np.float32)[e.row]
    z += _Z_MAX
    z *= _PHI_STEPS / (2 * _Z_MAX)
    z += 0.5  # the nearest entry of the table
    np.clip(z, 0, _PHI_STEPS, out=z)
    u = _phi()[z.astype(np.int32)]
    u *= e.width[:, None]
    pick = u.astype(np.int64)
    np.minimum(pick, e.width[:, None] - 1, out=pick)
    pick += e.start[:, None]
    j = e.order[pick]
    nxt = (moves.next_lo - moves.mid).astype(np.float32)[j]
    nxt += (moves.next_hi - moves.next_lo).astype(np.float32)[j] * rng.random(j.shape, dtype=np.float32)
    nxt += e.level[:, None]
    np.clip(nxt, 0.0, 100.0, out=nxt)
    required = np.zeros((e.n_rows, runs), dtype=np.float32)
    required[e.row[e.required]] = nxt[e.required]
    others = np.zeros((e.n_rows * e.slots, runs), dtype=np.float32)
    others[e.cell] = nxt[e.others]
    best = np.partition(others.reshape(e.n_rows, e.slots, runs), e.slots - rp.BEST_K, axis=1)[:, -rp.BEST_K :]
    return rp.W_REQUIRED * required + rp.W_BEST * best.sum(axis=1)
