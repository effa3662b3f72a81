"""Demo extended warranty (延保, issue 16): ``seed_warranty(brand, now=...)`` (called by the demo command; safe to
run twice).

Terms for the demo categories (purifiers +12 and +24 months, central air-conditioning +36 months, appliances'
labour +12 months) priced by segment and region on the current price list; warranties sold through the real
service via the portal shop, the hotline and an import; and one open repair order on a unit out of its base
warranty but within an extension, so its estimate reads "covered by extended warranty until …".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, User
from accounts.principal import principal_of, system_principal
from catalog.models import ProductCategory
from core.errors import DomainError
from customers.models import InstalledProduct
from network.models import Region
from pricing import extended, warranty
from pricing.models import ExtendedWarranty, WarrantyExtensionTerm, WarrantyTermPrice
from pricing.selectors import price_list_on
from workorders.choices import Status
from workorders.models import WorkOrder

# category, name, English name, months, labour, parts, part families, max unit age (months), months after expiry,
# prices: (segment, region code, amount)
TERMS = [
    ("purifier", "净水器延保一年", "Purifier extended warranty, 1 year", 12, True, True, [], 60, 0,
     [("", None, "199.00"), ("premium", None, "259.00"), ("cost_saving", None, "179.00")]),
    ("purifier", "净水器延保两年", "Purifier extended warranty, 2 years", 24, True, True, [], 60, 12,
     [("", None, "349.00"), ("premium", None, "429.00"), ("", "shanghai", "379.00")]),
    ("hvac", "中央空调延保三年", "Central air-conditioning extended warranty, 3 years", 36, True, True, [], 84, 0,
     [("", None, "2980.00"), ("premium", None, "3580.00"), ("", "beijing", "3180.00")]),
    ("appliance", "家电人工延保一年", "Appliance labour warranty, 1 year", 12, True, False, [], 48, 6,
     [("", None, "129.00")]),
]
# How many units were sold extended warranty through each channel, and by whom.
SALES = [("shop", 3), ("hotline", 2), ("import", 1)]
SCAN = 400  # units looked at for each category when choosing whom to sell to


def seed_warranty(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    today = timezone.localdate(now)
    if not WarrantyExtensionTerm.objects.filter(brand=brand).exists():
        _terms(brand, today)
    if not ExtendedWarranty.objects.filter(brand=brand).exists():
        _sales(brand, today)
        _covered_order(brand)
    return {"extended_warranty_terms": WarrantyExtensionTerm.objects.filter(brand=brand).count(),
            "extended_warranties": ExtendedWarranty.objects.filter(brand=brand).count()}


def _terms(brand: Organisation, today: dt.date) -> None:
    categories = {c.code: c for c in ProductCategory.objects.filter(brand=brand)}
    regions = {r.code: r for r in Region.objects.filter(brand=brand)}
    price_list = price_list_on(brand_id=brand.pk, day=today)
    for category, name, name_en, months, labour, parts, families, age, after, prices in TERMS:
        if category not in categories:
            continue
        term = WarrantyExtensionTerm.objects.create(
            brand=brand, category=categories[category], name=name, name_en=name_en, months=months,
            covers_labour=labour, covers_parts=parts, part_families=families, max_unit_age_months=age,
            months_after_expiry=after)
        for segment, region, amount in prices:
            if region is not None and region not in regions:
                continue
            WarrantyTermPrice.objects.create(term=term, price_list=price_list, segment=segment,
                                             region=regions.get(region), amount=Decimal(amount))


def _candidates(brand: Organisation, category: str, today: dt.date):
    """Units of a category that some term fits today, with their cheapest offer, oldest customers first."""
    units = (InstalledProduct.objects.filter(brand=brand, product_model__category__code=category, status="active")
             .select_related("product_model", "customer", "site").order_by("pk")[:SCAN])
    for unit in units:
        offers = extended.offers_for(product=unit, on=today)
        if offers:
            yield unit, offers


def _sales(brand: Organisation, today: dt.date) -> None:
    hotline = principal_of(User.objects.filter(username="hotline").first())
    channel = system_principal(brand.pk)
    units = [pair for category in ("purifier", "hvac") for pair in _candidates(brand, category, today)]
    picked = units[::max(1, len(units) // 8)]
    number = 0
    for sold_via, count in SALES:
        for _ in range(count):
            if number >= len(picked):
                return
            unit, offers = picked[number]
            offer = offers[number % len(offers)]
            actor = hotline if sold_via == "hotline" and hotline is not None else channel
            reference = f"SHOP-DEMO-{number + 1:03d}" if sold_via == "shop" else (
                f"IMPORT-DEMO-{number + 1:03d}" if sold_via == "import" else "")
            extended.sell_extended_warranty(product=unit, term=offer.term, actor_or_channel=actor, sold_via=sold_via,
                                            reference=reference, on=today - dt.timedelta(days=3 * number + 1))
            number += 1


def _covered_order(brand: Organisation) -> None:
    """An open repair order on a purifier whose base warranty had ended when the order came in: sold the +24
    months term the day the order was opened (it may still be bought a year after the end), so its estimate
    and the order page say it is covered by the extended warranty."""
    term = WarrantyExtensionTerm.objects.filter(brand=brand, months_after_expiry__gt=0, covers_parts=True).first()
    if term is None:
        return
    hotline = principal_of(User.objects.filter(username="hotline").first()) or system_principal(brand.pk)
    orders = (WorkOrder.objects.filter(brand=brand, type="repair", product__product_model__category=term.category,
                                       status__in=[Status.NEW, Status.ASSIGNED, Status.DISPATCHED])
              .select_related("product__product_model", "product__customer", "product__site").order_by("-created_at"))
    for order in orders[:200]:
        day = timezone.localdate(order.created_at)
        if warranty.verdict(product=order.product, on=day).code != "warranty_expired":
            continue
        try:
            extended.sell_extended_warranty(product=order.product, term=term, actor_or_channel=hotline,
                                            sold_via="hotline", on=day)
        except DomainError:
            continue
        return
