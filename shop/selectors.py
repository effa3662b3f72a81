"""What the shop offers for one of the customer's units, priced today, and only what fits it.

- consumables and accessories: parts that fit the unit (``catalog.Part.fitting_ids``, the one rule of fit) and
  that a consumable rule of the unit's category or model names, priced from today's list with the segment's and
  region's adjustments (``pricing.engine.price_goods``, the engine's own rule);
- maintenance plans of the unit's category or model, the tier of the customer's segment first (a customer may
  still choose another tier: a cost-saving customer may want the full plan), priced for the unit's region
  (``maintenance.plans``);
- extended warranty terms ``pricing`` offers for the unit (the warranty helper's ``offers_for``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Part
from core.text import bilingual, render_lazy
from customers.models import InstalledProduct
from maintenance.choices import ContractStatus
from maintenance.models import ConsumableRule, ContractUnit
from maintenance.plans import plans_for
from parts.choices import WarehouseKind
from parts.models import StockBalance, Warehouse
from pricing.engine import price_goods
from pricing.extended import covers_label
from pricing.extended import offers_for as extended_offers
from pricing.facts import PartUse
from pricing.models import PriceList
from pricing.selectors import load_snapshot, price_list_on
from shop.choices import LineKind

WARRANTY_DETAIL = _("%(covers)s, covered until %(until)s")


@dataclass(frozen=True)
class Offer:
    kind: str
    ref: int  # the part's, plan's or warranty offer's id
    name: Any
    price: Decimal
    detail: Any = ""
    available: int | None = None  # parts: units free in the central warehouse
    self_replaceable: bool = True
    recommended: bool = False  # the plan of the customer's own tier
    tier: str = ""
    months: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ref}"

    @property
    def in_stock(self) -> bool:
        return self.available is None or self.available > 0

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.ref, "name": str(self.name), "detail": str(self.detail),
                "price": f"{self.price:.2f}", "available": self.available, "in_stock": self.in_stock,
                "self_replaceable": self.self_replaceable, "recommended": self.recommended, "tier": self.tier,
                "months": self.months}


def region_of(product: InstalledProduct) -> int | None:
    return product.site.region_id if product.site_id else None


def central_warehouse(brand_id: int) -> Warehouse | None:
    return Warehouse.objects.filter(brand_id=brand_id, kind=WarehouseKind.CENTRAL).first()


def part_offers(product: InstalledProduct, *, on: dt.date, price_list: PriceList) -> list[Offer]:
    model = product.product_model
    rules = (ConsumableRule.objects.filter(brand_id=product.brand_id, is_active=True)
             .filter(Q(category_id=model.category_id) | Q(product_model_id=model.pk)).order_by("part_id", "pk"))
    rule_of: dict[int, ConsumableRule] = {}
    for rule in rules:
        rule_of.setdefault(rule.part_id, rule)
    fitting = Part.fitting_ids(rule_of, model)
    parts = list(Part.objects.filter(pk__in=fitting, is_active=True).order_by("code"))
    if not parts:
        return []
    snapshot = load_snapshot(brand_id=product.brand_id, day=on, category_id=model.category_id,
                             part_codes=[p.code for p in parts])
    warehouse = central_warehouse(product.brand_id)
    free = {}
    if warehouse is not None:
        free = {b.part_id: b.on_hand - b.reserved
                for b in StockBalance.objects.filter(warehouse=warehouse, part_id__in=[p.pk for p in parts])}
    segment, region_id = product.customer.segment, region_of(product)
    offers = []
    for part in parts:
        if part.code not in snapshot.part_prices:
            continue  # not on today's list: not for sale today
        _lines, total = price_goods(snapshot, parts=[PartUse(code=part.code, quantity=1)], segment=segment,
                                    region_id=region_id)
        rule = rule_of[part.pk]
        offers.append(Offer(kind=LineKind.PART, ref=part.pk, name=bilingual(part.name, part.name_en), price=total,
                            detail=part.code, available=free.get(part.pk, 0), months=rule.months,
                            self_replaceable=rule.self_replaceable))
    return offers


def plan_offers(product: InstalledProduct, *, on: dt.date) -> list[Offer]:
    """The plans that fit the unit (``maintenance.plans.plans_for``, the one rule of fit and price), the tier of
    the customer's segment first; none while the unit is under an active contract (it has its plan)."""
    covered = ContractUnit.objects.filter(product_id=product.pk, contract__status=ContractStatus.ACTIVE,
                                          contract__starts_on__lte=on, contract__ends_on__gte=on).exists()
    if covered:
        return []
    offers = [Offer(kind=LineKind.PLAN, ref=fit.plan.pk, name=fit.plan.name, price=fit.price, detail=fit.plan.tasks,
                    recommended=fit.for_segment, tier=fit.plan.tier, months=fit.plan.term_months)
              for fit in plans_for(product, on=on) if fit.price is not None]
    return sorted(offers, key=lambda o: not o.recommended)  # stable: then cheapest tier first, as plans_for gives


def warranty_offers(product: InstalledProduct, *, on: dt.date) -> list[Offer]:
    """The extended warranty terms ``pricing.extended.offers_for`` finds for the unit (fit, age, the base
    warranty's end, priced for the customer's segment and region), each with the days it would cover."""
    return [Offer(kind=LineKind.WARRANTY, ref=o.term.pk, name=bilingual(o.term.name, o.term.name_en), price=o.price,
                  detail=render_lazy(WARRANTY_DETAIL, {"covers": covers_label(o.term), "until": o.ends_on}),
                  months=o.term.months, extra={"starts_on": o.starts_on, "ends_on": o.ends_on})
            for o in extended_offers(product=product, on=on)]


def offers_for(product: InstalledProduct, *, on: dt.date | None = None) -> list[Offer]:
    """Everything the shop offers for ``product`` (fetched through ``visible_to``) today."""
    on = on or timezone.localdate()
    price_list = price_list_on(brand_id=product.brand_id, day=on)
    return [*part_offers(product, on=on, price_list=price_list), *plan_offers(product, on=on),
            *warranty_offers(product, on=on)]
