"""The API's bounded input types and the base of every input schema (the rules are core/bounds.py's).

Every id a caller sends is an ``Id``, every day a ``Day``, every time a ``Moment``, every amount a ``Money``,
and every input schema an ``Input``, whose fields may not hold NUL anywhere; a text that stands alone as
a parameter (a form field beside a file) is a ``Text``. core/tests/test_api_inputs.py walks every
operation and fails on an input outside these.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from core import bounds


def _pydantic(check, value: Any) -> Any:
    """Run a Django validator; its refusal becomes pydantic's error, typed by the validator's code."""
    try:
        check(value)
    except ValidationError as error:
        raise PydanticCustomError(error.code or "invalid", str(error.messages[0])) from None
    return value


def _money(value: Any) -> Decimal:
    try:
        return bounds.parse_money(value)
    except ValidationError as error:
        raise PydanticCustomError(error.code or "invalid", str(error.messages[0])) from None


def check_day(value: dt.date) -> dt.date:
    return _pydantic(bounds.validate_day, value)


def check_past_day(value: dt.date) -> dt.date:
    return _pydantic(bounds.validate_not_future, value)


def check_moment(value: dt.datetime) -> dt.datetime:
    return _pydantic(bounds.validate_moment, value)


def check_text(value: Any) -> Any:
    return _pydantic(bounds.validate_no_nul, value)


_BETWEEN = f"between {bounds.FIRST_DAY} and {bounds.LAST_DAY}"
Id = Annotated[int, Field(ge=1, le=bounds.MAX_ID)]
# A number whose range the service checks (a page, a quantity): here only what a 64-bit column holds.
Int = Annotated[int, Field(ge=-bounds.MAX_ID - 1, le=bounds.MAX_ID)]
Day = Annotated[dt.date, AfterValidator(check_day), Field(description=f"A day {_BETWEEN}.")]
PastDay = Annotated[dt.date, AfterValidator(check_past_day),
                    Field(description=f"A day between {bounds.FIRST_DAY} and today.")]
Moment = Annotated[dt.datetime, AfterValidator(check_moment), Field(description=f"A time on a day {_BETWEEN}.")]
Text = Annotated[str, AfterValidator(check_text)]
Money = Annotated[
    Decimal, BeforeValidator(_money),
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": bounds.MONEY_PATTERN, "example": "128.00"}),
]


class Input(Schema):
    """The base of every input schema: no NUL in any text of any field (lists and dicts included)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return check_text(value)
