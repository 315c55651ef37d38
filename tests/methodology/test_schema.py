"""The overall rules' schema: averaging, the scaling population, how a table ends, and what is confirmed; a bad
file gets one clear message naming the field."""

from __future__ import annotations

import pytest
import yaml

from impactrank.errors import InputError
from impactrank.methodology.load import parse_methodology
from impactrank.methodology.schema import Averaging, Band, Banding


@pytest.fixture
def mini_text(mini_paths) -> str:
    return mini_paths["methodology"].read_text(encoding="utf-8")


def with_overall(text: str, **changes) -> str:
    data = yaml.safe_load(text)
    data["overall"].update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del data["overall"][key]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_averaging_rule_is_read(mini_text):
    m = parse_methodology(with_overall(mini_text, averaging={"years": 2, "weights": [0.5, 0.5]}))
    assert m.overall.averaging == Averaging(years=2, weights=[0.5, 0.5])
    assert (m.overall.averaging.newcomer, m.overall.averaging.previous) == ("single_year", "single_year")
    assert m.overall.previous_years == 1
    assert parse_methodology(mini_text).overall.previous_years == 0
    three = parse_methodology(with_overall(mini_text, averaging={"years": 3, "weights": [0.5, 0.3, 0.2]}))
    assert three.overall.previous_years == 2


@pytest.mark.parametrize(
    ("averaging", "message"),
    [
        ({"years": 2, "weights": [0.6, 0.6]}, "averaging weights sum to 1.2, not 1"),
        ({"years": 2, "weights": [1.0]}, "averaging over 2 year(s) needs 2 weight(s), this year first; 1 given"),
        ({"years": 0, "weights": []}, "greater than or equal to 1"),
        ({"years": 2, "weights": [1.0, 0.0]}, "averaging weights must be positive"),
        ({"years": 2, "weights": [0.5, 0.5], "previous": "published"}, "Input should be 'single_year'"),
        ({"years": 2, "weights": [0.5, 0.5], "newcomer": "zero"}, "Input should be 'single_year'"),
        ({"years": 2}, "Field required"),
    ],
)
def test_bad_averaging_is_one_clear_error(mini_text, averaging, message):
    with pytest.raises(InputError) as info:
        parse_methodology(with_overall(mini_text, averaging=averaging), "net.yaml")
    assert message in info.value.message
    assert info.value.file == "net.yaml" and info.value.field.startswith("overall.averaging")


@pytest.mark.parametrize("missing", ["confirmed", "source"])
def test_overall_rules_say_what_is_confirmed(mini_text, missing):
    with pytest.raises(InputError) as info:
        parse_methodology(with_overall(mini_text, **{missing: None}), "net.yaml")
    assert info.value.field == f"overall.{missing}" and "Field required" in info.value.message


def test_scaling_population_and_table_end_are_named_options(mini_text):
    m = parse_methodology(with_overall(mini_text, scaling={"method": "minmax", "population": "submitters"}))
    assert m.overall.scaling.population == "submitters"
    with pytest.raises(InputError) as info:
        parse_methodology(with_overall(mini_text, scaling={"population": "everyone"}))
    assert info.value.field == "overall.scaling.population" and "'eligible' or 'submitters'" in info.value.message
    banding = {"individual_to": 2, "bands": [{"start": 3, "end": 4}, {"start": 5}], "table_end": "open_last_band"}
    assert parse_methodology(with_overall(mini_text, banding=banding)).overall.banding.table_end == "open_last_band"
    with pytest.raises(InputError) as info:
        parse_methodology(with_overall(mini_text, banding={**banding, "table_end": "open"}))
    assert info.value.field == "overall.banding.table_end"
    assert Banding(individual_to=1, bands=[Band(start=2)]).table_end == "as_listed"
