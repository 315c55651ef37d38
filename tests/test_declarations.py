"""A YAML declaration read into its model: each kind of mistake is one InputError naming the file and where."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, Field

from impactrank.declarations import parse_declaration
from impactrank.errors import InputError


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spread: float = Field(ge=0)


class Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "x"
    inner: Inner | None = None


def test_a_valid_declaration_is_its_model():
    assert parse_declaration("name: a\ninner: {spread: 0.5}\n", "f.yaml", Outer, "a thing") == Outer(
        name="a", inner=Inner(spread=0.5)
    )


def test_a_yaml_error_names_the_line_on_one_line():
    with pytest.raises(InputError) as err:
        parse_declaration("name: a\ninner: [1, 2\n", "f.yaml", Outer, "a thing")
    assert (err.value.file, err.value.row) == ("f.yaml", 3)
    assert err.value.message.startswith("not valid YAML (") and "\n" not in err.value.message


@pytest.mark.parametrize("text", ["- a\n- b\n", "just words\n", ""])
def test_anything_but_a_mapping_is_refused_by_what_it_should_be(text):
    with pytest.raises(InputError) as err:
        parse_declaration(text, "f.yaml", Outer, "a thing must be a YAML mapping")
    assert (err.value.message, err.value.file) == ("a thing must be a YAML mapping", "f.yaml")


def test_an_empty_file_may_stand_for_a_default():
    assert parse_declaration("# nothing declared\n", "f.yaml", Outer, "a thing", empty={}) == Outer()


def test_a_validation_error_names_the_dotted_field_or_the_located_one():
    with pytest.raises(InputError) as err:
        parse_declaration("inner: {spread: -1}\n", "f.yaml", Outer, "a thing")
    assert (err.value.field, err.value.message) == ("inner.spread", "Input should be greater than or equal to 0")
    with pytest.raises(InputError) as err:
        parse_declaration("inner: {spread: -1}\n", "f.yaml", Outer, "a thing", locate=lambda data, loc: loc[-1].upper())
    assert err.value.field == "SPREAD"
