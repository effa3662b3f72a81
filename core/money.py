"""How an amount of money is written for people: ¥1,234.50, and a deduction as −¥5.00 (the minus before the sign).

One rule for every page, the PDF and the messages; field/static/field/field.js has its twin, ``money()``.
"""

from __future__ import annotations

from decimal import Decimal

MINUS = "\u2212"  # the typographic minus, as in print; not a hyphen


def yuan(amount: Decimal | int | str | None, *, grouping: bool = True) -> str:
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount))
    sign = MINUS if value < 0 else ""
    digits = f"{abs(value):,.2f}" if grouping else f"{abs(value):.2f}"
    return f"{sign}¥{digits}"
