"""Where the fictional institutions are and what they are called.

Countries come with a naming style and the demo's 2021 participant count (``data/countries.csv``: 98
countries, 1,240 institutions, skewed as the real field is, a few countries with 40–80 and a long tail with
one or two; France has 20 participants, 18 of them in the overall table, as in the 2021 press story). Names
are a style's template around a fictional place (``data/names.yaml``), unique within a field, so that no
demo row can be mistaken for a real institution.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from impactrank.demo.tables import read_csv, read_yaml

# (ISO alpha-2, naming style, 2021 participants), largest first.
COUNTRIES: tuple[tuple[str, str, int], ...] = tuple(
    (row["country"], row["style"], int(row["participants"])) for row in read_csv("countries.csv")
)
CODES = np.array([c for c, _, _ in COUNTRIES])
STYLES = np.array([s for _, s, _ in COUNTRIES])
COUNTS = np.array([k for _, _, k in COUNTRIES])

_NAMES = read_yaml("names.yaml")
_LINKS = np.array(_NAMES["links"])
# place family → (first parts, last parts); naming style → place family and name templates ("{}": the place)
_PLACES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    family: (tuple(parts["first"]), tuple(parts["last"])) for family, parts in _NAMES["places"].items()
}
_STYLE_PLACES: dict[str, str] = {style: spec["places"] for style, spec in _NAMES["styles"].items()}
_TEMPLATES: dict[str, tuple[str, ...]] = {style: tuple(spec["templates"]) for style, spec in _NAMES["styles"].items()}


def sample_countries(n: int, rng: np.random.Generator) -> np.ndarray:
    """Country positions in COUNTRIES, drawn with the demo field's skew."""
    return rng.choice(len(CODES), size=n, p=COUNTS / COUNTS.sum())


def ids(n: int, prefix: str = "inst") -> np.ndarray:
    """Identifiers ``inst00001`` …, wide enough for ``n``."""
    width = max(5, len(str(n)))
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))


def _place_names(first: tuple[str, ...], last: tuple[str, ...], k: int, rng: np.random.Generator) -> np.ndarray:
    """Fictional places: first part, an optional linking syllable, last part."""
    return np.char.add(
        np.char.add(np.array(first)[rng.integers(len(first), size=k)], _LINKS[rng.integers(len(_LINKS), size=k)]),
        np.array(last)[rng.integers(len(last), size=k)],
    )


def _apply_template(style: str, template: np.ndarray, place: np.ndarray) -> np.ndarray:
    templates = _TEMPLATES[style]
    pre = np.array([t.split("{}")[0] for t in templates])[template]
    post = np.array([t.split("{}")[1] for t in templates])[template]
    return np.char.add(np.char.add(pre, place), post)


def names(style: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique fictional names (a style's template around a place; a clash gets a second place as campus),
    with each name's place and template number."""
    n = len(style)
    out = np.empty(n, dtype=object)
    places = np.empty(n, dtype=object)
    campus = np.empty(n, dtype=object)
    template = np.zeros(n, dtype=np.int64)
    for st in sorted(set(style.tolist())):
        rows = np.flatnonzero(style == st)
        first, last = _PLACES[_STYLE_PLACES[st]]
        places[rows] = _place_names(first, last, len(rows), rng)
        campus[rows] = _place_names(first, last, len(rows), rng)
        template[rows] = rng.integers(len(_TEMPLATES[st]), size=len(rows))
        out[rows] = _apply_template(st, template[rows], places[rows].astype(str))
    dup = (~pl.Series(out.astype(str)).is_first_distinct()).to_numpy()
    out[dup] = np.char.add(np.char.add(out[dup].astype(str), ", "), np.char.add(campus[dup].astype(str), " Campus"))
    dup = (~pl.Series(out.astype(str)).is_first_distinct()).to_numpy()
    out[dup] = np.char.add(out[dup].astype(str), np.char.add(" ", np.flatnonzero(dup).astype(str)))
    return out.astype(str), places.astype(str), template


def renamed(style: np.ndarray, template: np.ndarray, place: np.ndarray, taken: set[str]) -> list[str]:
    """New names for institutions of these styles, templates and places: the same place under the style's next
    unused template ("X University" → "University of X"), as real renamings often are. Adds them to ``taken``."""
    new = []
    for st, current, where in zip(style.tolist(), template.tolist(), place, strict=True):
        count = len(_TEMPLATES[st])
        options = [(int(current) + step) % count for step in range(1, count)]
        candidates = _apply_template(st, np.array(options), np.full(len(options), where)).tolist()
        new.append(next((name for name in candidates if name not in taken), f"{where} University"))
        taken.add(new[-1])
    return new
