"""The warranty verdict on a unit: the one rule every surface shows (issue 14, "one place per rule").

The console's order page and hotline, the technician's job card, the portal, the products API, the PDF report
and the charge all show ``coverage.unit_verdict`` over the brand's warranty rules, which is what the
engine prices labour with (``engine.quote``'s ``warranty``). Nothing here needs a price list: a brand
that has not published one yet still has a warranty.

- ``verdict``: one unit, for a service on a day (a product page: a repair today; an order: its own
  type, reported symptom and the day it was opened, as its charge is priced).
- ``verdicts``: many units for a repair on one day, the rules read once per brand (a list of products).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from catalog.choices import ServiceType
from customers.models import InstalledProduct
from pricing import selectors
from pricing.coverage import CoverageContext, CoverageProvider, CoverageVerdict, unit_verdict

__all__ = ["CoverageVerdict", "verdict", "verdicts"]


def _day(on: dt.datetime | dt.date | None) -> dt.date:
    if on is None:
        return timezone.localdate()
    return timezone.localdate(on) if isinstance(on, dt.datetime) else on


def _judge(providers: tuple[CoverageProvider, ...], product: InstalledProduct, service_type: str,
           symptom_code: str, day: dt.date) -> CoverageVerdict:
    symptom = None
    if symptom_code:
        # The same lookup the estimate makes; a symptom no longer offered judges as none (the estimate
        # refuses it, so no charge disagrees).
        symptom = selectors.symptom_facts(category_id=product.product_model.category_id, code=symptom_code)
    context = CoverageContext(product=selectors.product_facts(product), service_type=service_type,
                              symptom=symptom, on=day)
    return unit_verdict(providers, context)


def verdict(*, product: InstalledProduct, on: dt.datetime | dt.date | None = None,
            service_type: str = ServiceType.REPAIR, symptom_code: str = "") -> CoverageVerdict:
    """The warranty's verdict on a visit of ``service_type`` to ``product`` on ``on`` (default today), in the
    brand's time zone for a datetime: the same verdict ``pricing.services.estimate`` puts on the charge."""
    providers = selectors.coverages(brand_id=product.brand_id, category_id=product.product_model.category_id,
                                    product_ids=[product.pk])
    return _judge(providers, product, service_type, symptom_code, _day(on))


def verdicts(products: Iterable[InstalledProduct], on: dt.datetime | dt.date | None = None
             ) -> dict[int, CoverageVerdict]:
    """Product id -> the verdict on a repair on ``on`` (default today), for a list: two queries per brand
    (its rules, and the listed units' extended warranties)."""
    day = _day(on)
    products = list(products)
    providers: dict[int, tuple[CoverageProvider, ...]] = {}
    found = {}
    for product in products:
        if product.brand_id not in providers:
            providers[product.brand_id] = selectors.coverages(
                brand_id=product.brand_id, product_ids=[p.pk for p in products if p.brand_id == product.brand_id])
        found[product.pk] = _judge(providers[product.brand_id], product, ServiceType.REPAIR, "", day)
    return found
