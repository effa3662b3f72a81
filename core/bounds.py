"""The bounds every input keeps, for the API's schemas and the HTML forms alike (one place per rule).

An id is a positive signed 64-bit integer (the primary keys' column type); a larger one is an error the
caller made, not a 500 from the database driver. A date that means a real day (a booking, a purchase, a
plan) lies between FIRST_DAY and LAST_DAY; date arithmetic near year 1 or 9999 overflows. Text holds no
NUL character (PostgreSQL refuses it in text, so it would be a 500 there). Amounts of money are plain
decimals: digits, a point, at most two decimals; never an exponent ("1e3"), NaN or Infinity.

The functions here raise Django's ValidationError, so a form field can list them in ``validators``; the
API's types (core/schema.py) call them too.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput

MAX_ID = 2**63 - 1
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
# The widest amount any screen takes (a lead's value, a payment): 9 digits of yuan and 2 of fen.
MONEY_PATTERN = r"^[0-9]{1,9}(\.[0-9]{1,2})?$"
_MONEY = re.compile(MONEY_PATTERN)

DAY_OUT_OF_RANGE = _("Enter a date between 2000-01-01 and 2100-12-31.")
DAY_IN_FUTURE = _("This date cannot be in the future.")
TEXT_NUL = _("Text may not contain NUL characters.")
MONEY_FORMAT = _("Give the amount in yuan as a plain number, e.g. 128.00.")


def validate_day(value: dt.date | dt.datetime) -> None:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(DAY_OUT_OF_RANGE, code="date_out_of_range")


def validate_moment(value: dt.datetime) -> None:
    # Checked in UTC as well as as given: 2000-01-01T00:00+14:00 is still 1999 in UTC.
    validate_day(value)
    if timezone.is_aware(value):
        validate_day(value.astimezone(dt.UTC))


def validate_not_future(value: dt.date) -> None:
    """A day that has happened (a purchase, an installation): not after today in the site's zone."""
    validate_day(value)
    if value > timezone.localdate():
        raise ValidationError(DAY_IN_FUTURE, code="date_in_future")


def validate_no_nul(value: Any) -> None:
    if has_nul(value):
        raise ValidationError(TEXT_NUL, code="string_nul")


def has_nul(value: Any) -> bool:
    """Whether text anywhere in a value (a string, or the keys and values of lists and dicts) holds NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    return False


def parse_money(value: Any) -> Decimal:
    """A non-negative amount written as a plain decimal (an int is fine; a float may have been 1e3: refused)."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        raise ValidationError(MONEY_FORMAT, code="money_format")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, Decimal):
        text = format(value, "f") if value.is_finite() else "NaN"
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValidationError(MONEY_FORMAT, code="money_format")
    if not _MONEY.match(text):
        raise ValidationError(MONEY_FORMAT, code="money_format")
    return Decimal(text)


def money_input(value: Any, *, field: str, message: Any = MONEY_FORMAT) -> Decimal:
    """parse_money for a service: a refusal is the domain's InvalidInput on ``field``."""
    try:
        return parse_money(value)
    except ValidationError:
        raise InvalidInput(message, field=field) from None
