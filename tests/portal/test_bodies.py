"""The shared body rules: a field no model declares is refused, and each kind of value has its one limit."""

import pytest
from pydantic import ValidationError

from impactrank.portal.bodies import Body, Code, Email, Password
from impactrank.portal.routes.account import PasswordChangeIn
from impactrank.portal.routes.auth import LoginIn


class Sample(Body):
    password: Password
    email: Email
    code: Code


@pytest.mark.parametrize(("field", "limit"), [("password", 1000), ("email", 320), ("code", 64)])
def test_each_kind_of_value_is_bounded_at_its_limit(field, limit):
    ok = {"password": "p", "email": "a@b.c", "code": "1"}
    assert getattr(Sample(**{**ok, field: "x" * limit}), field) == "x" * limit
    with pytest.raises(ValidationError) as raised:
        Sample(**{**ok, field: "x" * (limit + 1)})
    assert [(e["loc"], e["type"]) for e in raised.value.errors()] == [((field,), "string_too_long")]


def test_an_undeclared_field_is_refused_by_every_body():
    for model, body in (
        (PasswordChangeIn, {"current_password": "a", "new_password": "b"}),
        (LoginIn, {"email": "a@b.c", "password": "a"}),
    ):
        assert model(**body).model_dump(exclude_none=True) == body
        with pytest.raises(ValidationError) as raised:
            model(**body, remember=True)
        assert [(e["loc"], e["type"]) for e in raised.value.errors()] == [(("remember",), "extra_forbidden")]
