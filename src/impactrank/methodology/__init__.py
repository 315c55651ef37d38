"""Ranking rules as data: the schema and the bundled editions."""

from impactrank.methodology.load import bundled_ids, load_methodology, methodology_hash
from impactrank.methodology.schema import SDG, Band, Banding, Methodology, Metric, Rubric

__all__ = [
    "SDG",
    "Band",
    "Banding",
    "Methodology",
    "Metric",
    "Rubric",
    "bundled_ids",
    "load_methodology",
    "methodology_hash",
]
