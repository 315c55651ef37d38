"""What the portal's JSON bodies share: a field no model declares is refused rather than dropped, and each kind
of value (a password, an e-mail address, a code) has one length limit wherever a form takes it."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    """A request body: unknown fields are an error (a misspelt field must not pass as if it were absent)."""

    model_config = ConfigDict(extra="forbid")


Password = Annotated[str, Field(max_length=1000)]
Email = Annotated[str, Field(max_length=320)]
Code = Annotated[str, Field(max_length=64)]
