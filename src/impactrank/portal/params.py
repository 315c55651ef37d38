"""The path and body field types the routes share, so that an id, an SDG number, a metric name or a number is
checked alike wherever a route takes one."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

IdPath = Annotated[str, Path(max_length=64)]
SdgPath = Annotated[int, Path(ge=1, le=17, description="SDG number 1–17")]
MetricPath = Annotated[str, Path(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
INSTITUTION = "/cycles/{cycle}/institutions/{institution}"
"""Where an institution's data in one cycle lives; every route below it takes both ids."""
RECORD = INSTITUTION + "/records/{sdg}/{metric}"
"""One metric of one SDG of an institution."""
