"""YAML declarations (a methodology, an uncertainty configuration) read into pydantic models, with the one
error shape the CLI prints: the file, the line of a YAML error or the field of a validation error."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from impactrank.errors import N_, InputError

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ten times faster
Model = TypeVar("Model", bound=BaseModel)


def dotted(data: dict, loc: tuple) -> str | None:
    return ".".join(str(part) for part in loc) or None


def parse_declaration(
    text: str,
    name: str,
    model: type[Model],
    not_mapping: str,
    *,
    empty: dict | None = None,
    locate: Callable[[dict, tuple], str | None] = dotted,
) -> Model:
    """``not_mapping`` is the catalog message refusing a file that is not a mapping; ``empty`` stands for an
    empty file (None: an empty file is an error); ``locate`` turns pydantic's location into the field named."""
    try:
        data = yaml.load(text, Loader=LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())  # one line, as every message
        raise InputError(
            N_("not valid YAML (%(problem)s)"),
            file=name,
            row=mark.line + 1 if mark else None,
            params={"problem": problem},
        ) from None
    if data is None and empty is not None:
        data = empty
    if not isinstance(data, dict):
        raise InputError(not_mapping, file=name)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(err["msg"].removeprefix("Value error, "), file=name, field=locate(data, err["loc"])) from None
