"""Next edition's band, forecast from the series of published editions: the part of next year's score the
averaging rule already fixes, how SDG scores (by SDG, by level), the field and its band boundaries moved before,
and the uncertainty machinery's sampling, ranking and histograms; back-tested on the series itself."""

from impactrank.engine.forecast.backtest import Backtest, backtest
from impactrank.engine.forecast.next_edition import Forecast, forecast_edition
from impactrank.engine.forecast.rule import NextRule, rule_of, rules_for, series_of

__all__ = ["Backtest", "Forecast", "NextRule", "backtest", "forecast_edition", "rule_of", "rules_for", "series_of"]
