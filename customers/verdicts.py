"""The warranty verdict on units, which pricing computes (pricing.warranty, above customers) and customers'
API shows beside each product: a Provider pricing registers into from pricing/hooks.py (core/hooks.py)."""

from __future__ import annotations

from core.hooks import Provider

# (products, on=None) -> {product id: CoverageVerdict}: a repair on that day (default today).
product_verdicts: Provider = Provider("customers.product_verdicts")
