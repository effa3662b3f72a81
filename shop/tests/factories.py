"""The shop's world on top of the shared personas: today's price list with a filter that fits the customer's model
and one that does not, a consumable rule, plans of every tier with prices, and stock in the central warehouse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from accounts.principal import system_principal
from catalog.tests.factories import PartFactory, ProductModelFactory
from maintenance.choices import Tier
from maintenance.models import ConsumableRule, MaintenancePlan, PlanPrice
from parts import ledger
from parts.services import ensure_central
from pricing.tests.factories import PartPriceFactory, PriceListFactory
from shop.models import ShopOrder, ShopOrderEvent, ShopPayment


def stock(w: SimpleNamespace, part, n: int) -> None:
    with transaction.atomic():
        ledger.post([ledger.receive(w.central, part, n)], actor=system_principal(w.brand.pk), reason="test")


def build_shop(w: SimpleNamespace, *, filters_in_stock: int = 20) -> SimpleNamespace:
    w.site = w.product.site
    w.site.region = w.region
    w.site.save(update_fields=["region"])
    w.price_list = PriceListFactory(brand=w.brand)
    w.other_model = ProductModelFactory(category=w.category, code="RO-900")
    w.filter = PartFactory(brand=w.brand, code="pp-cotton", name="PP棉滤芯", name_en="PP sediment filter",
                           family="filter", category=w.category)
    w.filter.product_models.add(w.model)
    w.membrane = PartFactory(brand=w.brand, code="ro-membrane", name="RO膜", name_en="RO membrane",
                             family="filter", category=w.category)
    w.membrane.product_models.add(w.model)
    w.big_filter = PartFactory(brand=w.brand, code="pp-cotton-900", name="PP棉滤芯(900型)",
                               name_en="PP filter (900)", family="filter", category=w.category)
    w.big_filter.product_models.add(w.other_model)  # fits the other model only: never offered for w.product
    for part, amount in ((w.filter, "39.00"), (w.membrane, "299.00"), (w.big_filter, "49.00")):
        PartPriceFactory(price_list=w.price_list, part=part, amount=amount)
        ConsumableRule.objects.create(brand=w.brand, part=part, category=w.category, months=6, litres=2000)
    ConsumableRule.objects.filter(part=w.membrane).update(months=24, self_replaceable=False)
    w.plans = {}
    for tier, price in ((Tier.BASIC, "199.00"), (Tier.STANDARD, "299.00"), (Tier.FULL, "499.00")):
        plan = MaintenancePlan.objects.create(brand=w.brand, name=f"净水器{tier}保养", tier=tier, category=w.category,
                                              tasks="更换滤芯, 清洗", interval_months=6, visits_per_year=2)
        PlanPrice.objects.create(plan=plan, price_list=w.price_list, amount=Decimal(price))
        w.plans[tier] = plan
    PlanPrice.objects.create(plan=w.plans[Tier.STANDARD], price_list=w.price_list, region=w.region,
                             amount=Decimal("329.00"))
    w.central = ensure_central(w.brand)
    stock(w, w.filter, filters_in_stock)
    stock(w, w.membrane, 5)
    return w


def probe_order(customer, product) -> ShopOrder:
    """A shop order made directly (probes need one whatever its state)."""
    price_list = PriceListFactory(brand=customer.brand, name=f"probe {customer.pk}", valid_from=dt.date(2020, 1, 1),
                                  valid_to=dt.date(2020, 12, 31))
    return ShopOrder.objects.create(brand=customer.brand, number=f"SOPROBE{customer.pk:08d}", customer=customer,
                                    product=product, total=Decimal("39.00"), price_list=price_list,
                                    created_at=timezone.now())


def access_probes(w, order_a, order_b, rival_order) -> dict[str, dict[str, int]]:
    """For core/tests/test_access.py: per persona, a shop order it must not see, and the ones it must list.

    Shop orders are the customer's and the brand's: outlets and technicians see none of them."""
    mine = probe_order(order_a.customer, order_a.product)
    other = probe_order(order_b.customer, order_b.product)
    rival = probe_order(rival_order.customer, rival_order.product)
    w.shop_probes = {"customer": {mine.pk}, "other_customer": {other.pk}, "rival_dispatcher": {rival.pk},
                     **{p: {mine.pk, other.pk} for p in ("dispatcher", "hotline", "analyst")}}
    return {
        **{p: {"shop_order_id": rival.pk} for p in ("dispatcher", "hotline", "analyst")},
        **{p: {"shop_order_id": mine.pk} for p in ("manager_a", "manager_b", "tech_a", "tech_a2", "tech_b",
                                                     "other_customer", "rival_dispatcher")},
        "customer": {"shop_order_id": other.pk},
    }


def snapshot():
    return (list(ShopOrder.objects.order_by("pk").values_list("pk", "status", "version", "waybill")),
            ShopPayment.objects.count(), ShopOrderEvent.objects.count())
