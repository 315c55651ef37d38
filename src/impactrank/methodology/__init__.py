"""Ranking rules as data: the schema and the bundled editions."""

from impactrank.methodology.load import bundled_ids, load_methodology, methodology_hash
from impactrank.methodology.schema import SDG, Averaging, Band, Banding, Methodology, Metric, OverallRules, Rubric

__all__ = [
    "SDG",
    "Averaging",
    "Band",
    "Banding",
    "Methodology",
    "Metric",
    "OverallRules",
    "Rubric",
    "bundled_ids",
    "load_methodology",
    "methodology_hash",
]
