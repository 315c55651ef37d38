"""Deterministic synthetic data: fictional institutions and their submissions, shaped like a THE Impact
Rankings field, for the demo, tests and benchmarks.

Every institution has a latent percentile (how mature its sustainability work is, relative to the field),
SDG-specific strengths and a size. An edition maps the percentile through a calibrated quantile function to
a *maturity* in [0, 1], roughly the share of evidence-rubric points it earns; continuous and bibliometric
values are drawn around it with realistic shapes (log-normal counts, shares as numerator / FTE denominator,
FWCI around 1). The generator reads the metrics from a :class:`Methodology`, so it serves any methodology
file; everything is vectorised with numpy, and one seed always gives the same tables.

Modules, in the order a field is made: ``tables`` (the data files in ``data/``), ``names`` (countries and
fictional names), ``calibration`` (percentile → maturity, fitted to real band score ranges), ``population``
(each institution's persistent traits), ``submissions`` (SDGs chosen and values drawn, by kind of metric),
``field`` (one edition of any size: :func:`generate_field`), ``group`` (the group of schools and its story)
and ``editions`` (the demo's 2020 and 2021 editions: :func:`generate_demo`).
"""

from impactrank.demo.calibration import CALIBRATION_2020, CALIBRATION_2021, Calibration
from impactrank.demo.editions import DemoData, generate_demo
from impactrank.demo.field import DEMO_SEED, SyntheticField, generate_field
from impactrank.demo.group import GROUP_NAME

__all__ = [
    "CALIBRATION_2020",
    "CALIBRATION_2021",
    "DEMO_SEED",
    "GROUP_NAME",
    "Calibration",
    "DemoData",
    "SyntheticField",
    "generate_demo",
    "generate_field",
]
