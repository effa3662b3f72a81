"""What pricing supplies to the layers below it (core/hooks.py): the warranty verdict on units."""

from __future__ import annotations

from customers import verdicts
from pricing import warranty

verdicts.product_verdicts.register(warranty.verdicts)
