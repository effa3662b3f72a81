from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revenue.commission import commission_amount

money = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
percent = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("value, pct, fixed, expected", [
    ("1280.00", "5.00", "0.00", "64.00"),
    ("1280.00", "0.00", "30.00", "30.00"),
    ("999.00", "3.50", "20.00", "54.97"),  # 34.965 rounds half up to 34.97
    ("0.10", "5.00", "0.00", "0.01"),  # 0.005 rounds up, not to even
    ("2999.00", "100.00", "0.00", "2999.00"),
])
def test_percentage_plus_fixed_to_the_fen(value, pct, fixed, expected):
    got = commission_amount(value=Decimal(value), percent=Decimal(pct), fixed=Decimal(fixed))
    assert got == Decimal(expected) and got.as_tuple().exponent == -2


@given(value=money, pct=percent, fixed=money)
def test_never_negative_never_more_than_value_plus_fixed(value, pct, fixed):
    got = commission_amount(value=value, percent=pct, fixed=fixed)
    assert Decimal(0) <= got <= value + fixed
    assert abs(got - (value * pct / 100 + fixed)) <= Decimal("0.005")


def test_negative_inputs_are_refused():
    with pytest.raises(ValueError):
        commission_amount(value=Decimal("-1"), percent=Decimal("5"), fixed=Decimal("0"))
