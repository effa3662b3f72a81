"""The bounds of core/bounds.py: the one money parser, the day range and the no-future day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import bounds


@pytest.mark.parametrize(("given", "expected"), [("128.00", Decimal("128.00")), ("0", Decimal("0")), (12, Decimal(12)),
                                                 (" 7.5 ", Decimal("7.5")), (Decimal("3.10"), Decimal("3.10"))])
def test_plain_decimals_are_money(given, expected):
    assert bounds.parse_money(given) == expected


@pytest.mark.parametrize("given", ["1e3", "1E3", "NaN", "nan", "Infinity", "-inf", "1.234", "-1", "+1", "1,000",
                                   "1_000", "", " ", "١٢", "1234567890", 1e3, 10.5, True, None, Decimal("NaN"),
                                   Decimal("1E+3") * Decimal("1E+10"), "12.", ".5"])
def test_anything_else_is_refused(given):
    with pytest.raises(ValidationError) as refused:
        bounds.parse_money(given)
    assert refused.value.code == "money_format"


def test_days_outside_2000_to_2100_are_refused_and_the_future_is_refused_where_a_day_has_happened():
    for day in (dt.date(1, 1, 1), dt.date(1999, 12, 31), dt.date(2101, 1, 1), dt.date(9999, 12, 31)):
        with pytest.raises(ValidationError):
            bounds.validate_day(day)
    bounds.validate_day(dt.date(2000, 1, 1))
    bounds.validate_day(dt.date(2100, 12, 31))
    today = timezone.localdate()
    bounds.validate_not_future(today)
    with pytest.raises(ValidationError) as refused:
        bounds.validate_not_future(today + dt.timedelta(days=1))
    assert refused.value.code == "date_in_future"


def test_a_form_field_uses_the_same_validators():
    class PurchaseForm(forms.Form):
        purchased_on = forms.DateField(validators=[bounds.validate_not_future])
        name = forms.CharField()

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = PurchaseForm({"purchased_on": tomorrow.isoformat(), "name": "张\x00三"})
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["purchased_on"]] == ["date_in_future"]
    # Django's CharField refuses NUL by itself (ProhibitNullCharactersValidator): every form's text already is.
    assert [e.code for e in form.errors.as_data()["name"]] == ["null_characters_not_allowed"]
