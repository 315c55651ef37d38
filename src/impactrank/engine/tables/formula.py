"""An overall score's formula as terms — weights, scores or intervals, SDGs, the years an average takes — with no
words: one renderer (impactrank.i18n.formula) writes them in the reader's language for every page, report and
command. ``to_dict`` is the form the API and stored results carry."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Value:
    """A score (``low == high``) or an interval, with the decimals it is shown with."""

    low: float
    high: float
    decimals: int

    @classmethod
    def of(cls, value: float, decimals: int) -> Value:
        return cls(float(value), float(value), decimals)


@dataclass(frozen=True)
class SdgTerm:
    sdg: int
    value: Value  # the scaled score, or its interval


@dataclass(frozen=True)
class YearTerm:
    """One year of an averaged score: ``edition`` "" for this edition. ``value`` None for this edition's term
    when the SDG terms themselves stand inside the average (a reproduced rule has no single-year value apart)."""

    edition: str
    weight: float  # the share of the average, the weights of the years present summing to 1
    value: Value | None


@dataclass(frozen=True)
class Formula:
    """``required_weight`` × the required SDG + ``best_weight`` × (the best others) = ``single_year``; averaged
    with ``years`` (this edition first) into ``total``. ``dropped``: editions whose year drops out (not in their
    overall table); ``dropped_back``: how many years back those are whose edition the build was not given.
    Without ``years`` and either, ``total`` is the single-year score."""

    required_weight: float
    required: SdgTerm | None
    best_weight: float
    best: tuple[SdgTerm, ...]
    single_year: Value | None
    total: Value
    years: tuple[YearTerm, ...] = ()
    dropped: tuple[str, ...] = ()
    dropped_back: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        """As JSON holds it: the sequences as lists, so a stored and a fresh formula compare equal."""
        return _as_json(asdict(self))


def _as_json(value):
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_json(v) for v in value]
    return value
