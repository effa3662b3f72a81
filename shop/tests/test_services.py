"""The shop's services: offers only for what fits, Decimal totals, stock by compare-and-set, and what a payment
sets going (a household contract for a plan, the reminder ordered, the lead won with its commission)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.principal import principal_of
from conftest import race
from core.errors import DomainError, IllegalTransition, PermissionDenied
from maintenance.choices import ContractKind, ReminderStatus, ScheduleKind, SoldVia, Tier
from maintenance.models import ConsumableRule, Contract, Reminder, Schedule
from parts.errors import InsufficientStock
from parts.models import StockBalance
from pricing.models import Adjustment
from revenue.choices import LeadStatus
from revenue.models import Commission
from revenue.tests.factories import RuleFactory, lead_on
from shop import services
from shop.choices import Delivery, LineKind, OrderStatus
from shop.models import ShopOrder
from shop.selectors import offers_for
from shop.tests.factories import build_shop

pytestmark = pytest.mark.django_db
Item = services.Item


def _place(w, *items, **kw) -> ShopOrder:
    return services.place_order(actor=principal_of(w.customer.user), customer=w.customer, product=w.product,
                                items=list(items), **kw)


def _balance(w, part) -> tuple[int, int]:
    b = StockBalance.objects.get(warehouse=w.central, part=part)
    return b.on_hand, b.reserved


def test_offers_are_only_what_fits_the_unit_with_the_own_tier_first(shop):
    offers = offers_for(shop.product)
    parts = [(o.ref, o.price, o.available, o.self_replaceable) for o in offers if o.kind == LineKind.PART]
    assert parts == [(shop.filter.pk, Decimal("39.00"), 20, True), (shop.membrane.pk, Decimal("299.00"), 5, False)]
    plans = [(o.tier, o.price, o.recommended) for o in offers if o.kind == LineKind.PLAN]
    # The customer is of the value segment: the standard plan first, at the region's own price.
    assert plans == [(Tier.STANDARD, Decimal("329.00"), True), (Tier.BASIC, Decimal("199.00"), False),
                     (Tier.FULL, Decimal("499.00"), False)]


def test_part_prices_carry_the_segments_adjustment(shop):
    Adjustment.objects.create(price_list=shop.price_list, segment="value", applies_to="parts", percent="-10.00")
    prices = {o.ref: o.price for o in offers_for(shop.product) if o.kind == LineKind.PART}
    assert prices == {shop.filter.pk: Decimal("35.10"), shop.membrane.pk: Decimal("269.10")}


def test_an_order_totals_in_decimal_and_reserves_its_parts(shop):
    order = _place(shop, Item(LineKind.PART, shop.filter.pk, 3), Item(LineKind.PLAN, shop.plans[Tier.STANDARD].pk))
    assert order.total == Decimal("446.00") and isinstance(order.total, Decimal)
    assert [(ln.kind, ln.quantity, ln.unit_price, ln.amount) for ln in order.lines.all()] == [
        ("part", 3, Decimal("39.00"), Decimal("117.00")), ("plan", 1, Decimal("329.00"), Decimal("329.00"))]
    assert order.status == OrderStatus.AWAITING_PAYMENT and order.address == shop.site.address
    assert _balance(shop, shop.filter) == (20, 3)


def test_a_part_for_another_model_is_not_offered(shop):
    with pytest.raises(DomainError) as refused:
        _place(shop, Item(LineKind.PART, shop.big_filter.pk, 1))
    assert refused.value.code == "not_offered"
    assert ShopOrder.objects.count() == 0


def test_a_technicians_part_needs_a_visit(shop):
    with pytest.raises(DomainError) as refused:
        _place(shop, Item(LineKind.PART, shop.membrane.pk, 1))
    assert refused.value.field == "delivery"
    assert _balance(shop, shop.membrane) == (5, 0)


def test_out_of_stock_is_refused_before_payment(shop):
    with pytest.raises(InsufficientStock):
        _place(shop, Item(LineKind.PART, shop.membrane.pk, 6), delivery=Delivery.VISIT)
    assert ShopOrder.objects.count() == 0
    assert _balance(shop, shop.membrane) == (5, 0)


def test_payment_makes_the_plans_contract_marks_the_reminder_and_wins_the_lead(shop):
    RuleFactory(brand=shop.brand, kind="filter_subscription", percent=Decimal("10.00"))
    lead = lead_on(shop, kind="filter_subscription")
    rule = ConsumableRule.objects.get(part=shop.filter)
    schedule = Schedule.objects.create(brand=shop.brand, customer=shop.customer, product=shop.product,
                                       kind=ScheduleKind.CONSUMABLE, rule=rule, due_on=timezone.localdate())
    reminder = Reminder.objects.create(brand=shop.brand, customer=shop.customer, schedule=schedule,
                                       due_on=schedule.due_on, sent_at=timezone.now())
    order = _place(shop, Item(LineKind.PART, shop.filter.pk, 1), Item(LineKind.PLAN, shop.plans[Tier.FULL].pk),
                   reminder_token=reminder.token)
    assert (order.reminder, order.lead) == (reminder, lead)
    order = services.record_payment(order=order, actor=principal_of(shop.dispatcher), method="transfer",
                                    amount=Decimal("538.00"))
    assert order.status == OrderStatus.PAID
    contract = Contract.objects.get(customer=shop.customer)
    assert (contract.kind, contract.plan, contract.price, contract.sold_via, contract.lead) == (
        ContractKind.HOUSEHOLD, shop.plans[Tier.FULL], Decimal("499.00"), SoldVia.LEAD, lead)
    assert list(contract.units.values_list("product_id", flat=True)) == [shop.product.pk]
    assert order.lines.get(kind=LineKind.PLAN).contract == contract
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.ORDERED
    lead.refresh_from_db()
    assert (lead.status, lead.value) == (LeadStatus.WON, Decimal("538.00"))
    assert Commission.objects.get(lead=lead).amount == Decimal("53.80")


def test_shipping_issues_the_reserved_parts_and_cancel_releases_them(shop):
    dispatcher = principal_of(shop.dispatcher)
    schedule = Schedule.objects.create(brand=shop.brand, customer=shop.customer, product=shop.product,
                                       kind=ScheduleKind.CONSUMABLE, rule=ConsumableRule.objects.get(part=shop.filter),
                                       due_on=timezone.localdate())
    order = _place(shop, Item(LineKind.PART, shop.filter.pk, 2))
    with pytest.raises(IllegalTransition):
        services.ship(order=order, actor=dispatcher, waybill="SF1234567890")
    order = services.record_payment(order=order, actor=dispatcher, method="cash", amount=Decimal("78.00"))
    with pytest.raises(PermissionDenied):
        services.ship(order=order, actor=principal_of(shop.customer.user), waybill="SF1234567890")
    order = services.ship(order=order, actor=dispatcher, waybill="SF1234567890")
    assert (order.status, order.waybill) == (OrderStatus.FULFILLING, "SF1234567890")
    assert _balance(shop, shop.filter) == (18, 0)
    order = services.mark_delivered(order=order, actor=dispatcher)
    schedule.refresh_from_db()  # the customer replaces it themselves: its schedule starts again today
    assert (schedule.last_done_on, schedule.last_done_via) == (timezone.localdate(), "shop")
    assert schedule.due_on > timezone.localdate()
    order = services.close(order=order, actor=dispatcher)
    assert order.status == OrderStatus.DONE
    second = _place(shop, Item(LineKind.PART, shop.filter.pk, 4))
    assert _balance(shop, shop.filter) == (18, 4)
    second = services.cancel(order=second, actor=principal_of(shop.customer.user), reason="不要了")
    assert second.status == OrderStatus.CANCELLED
    assert _balance(shop, shop.filter) == (18, 0)


def test_a_visit_order_books_the_installation_when_paid(shop):
    order = _place(shop, Item(LineKind.PART, shop.membrane.pk, 1), delivery=Delivery.VISIT)
    order = services.record_payment(order=order, actor=principal_of(shop.dispatcher), method="on_delivery",
                                    amount=Decimal("299.00"))
    assert order.status == OrderStatus.FULFILLING
    assert order.work_order.type == "maintenance" and order.work_order.product == shop.product
    order = services.mark_installed(order=order, actor=principal_of(shop.dispatcher))
    assert order.status == OrderStatus.INSTALLED
    assert _balance(shop, shop.membrane) == (4, 0)


@pytest.mark.django_db(transaction=True)
def test_two_customers_cannot_both_take_the_last_filter(world):
    shop = build_shop(world, filters_in_stock=1)
    other = shop.other_product
    other.site.region = shop.region
    other.site.save(update_fields=["region"])

    def order(i: int):
        customer, product = (shop.customer, shop.product) if i == 0 else (shop.other_customer, other)
        return services.place_order(actor=principal_of(customer.user), customer=customer, product=product,
                                    items=[Item(LineKind.PART, shop.filter.pk, 1)])

    results = race(order, 2)
    assert sorted(type(r).__name__ for r in results) == ["InsufficientStock", "ShopOrder"]
    assert ShopOrder.objects.count() == 1
    assert _balance(shop, shop.filter) == (1, 1)


def test_a_plan_alone_is_done_once_paid(shop):
    order = _place(shop, Item(LineKind.PLAN, shop.plans[Tier.BASIC].pk))
    order = services.record_payment(order=order, actor=principal_of(shop.dispatcher), method="transfer",
                                    amount=Decimal("199.00"))
    assert order.status == OrderStatus.DONE
    assert Contract.objects.get(customer=shop.customer).sold_via == SoldVia.PORTAL
