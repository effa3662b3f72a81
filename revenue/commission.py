"""The commission on a won lead: plain arithmetic on Decimals, no database (STYLE.md: pure modules)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def commission_amount(*, value: Decimal, percent: Decimal, fixed: Decimal) -> Decimal:
    """``percent`` % of ``value`` plus ``fixed``, to the fen, halves rounded up (as cashiers round)."""
    if value < 0 or percent < 0 or fixed < 0:
        raise ValueError("commission inputs are never negative")
    return (value * percent / Decimal(100) + fixed).quantize(CENT, rounding=ROUND_HALF_UP)
