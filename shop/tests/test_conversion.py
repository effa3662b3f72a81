"""The conversion report: reminders sent → visits or shop orders → revenue by segment and region, and the lead a
shop sale won with its commission; the brand's staff only, their brand's figures only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.principal import principal_of
from maintenance.choices import ScheduleKind
from maintenance.models import ConsumableRule, Reminder, Schedule
from revenue.tests.factories import RuleFactory, lead_on
from shop import services
from shop.choices import LineKind
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def _reminder(w, product, customer, segment, *, work_order=None) -> Reminder:
    schedule, _new = Schedule.objects.get_or_create(
        product=product, rule=ConsumableRule.objects.get(part=w.filter),
        defaults={"brand": w.brand, "customer": customer, "kind": ScheduleKind.CONSUMABLE,
                  "due_on": timezone.localdate()})
    n = Reminder.objects.filter(schedule=schedule).count() + 1
    return Reminder.objects.create(brand=w.brand, customer=customer, schedule=schedule, due_on=schedule.due_on,
                                   sequence=n, sent_at=timezone.now(), segment=segment, region=w.region,
                                   work_order=work_order)


def test_reminders_visits_orders_and_revenue_by_segment_and_region(shop, api_as):
    RuleFactory(brand=shop.brand, kind="filter_subscription", percent=Decimal("10.00"))
    lead = lead_on(shop, kind="filter_subscription")
    ordered = _reminder(shop, shop.product, shop.customer, "value")
    _reminder(shop, shop.product, shop.customer, "value", work_order=make_order(shop))
    _reminder(shop, shop.other_product, shop.other_customer, "premium")
    order = services.place_order(actor=principal_of(shop.customer.user), customer=shop.customer,
                                 product=shop.product, items=[services.Item(LineKind.PART, shop.filter.pk, 2)],
                                 reminder_token=ordered.token)
    services.record_payment(order=order, actor=principal_of(shop.dispatcher), method="cash", amount=Decimal("78.00"))
    got = api_as("analyst").get("/api/v1/reports/conversion")
    assert got.status_code == 200
    body = got.json()
    rows = {(r["segment"], r["region_name"]): r for r in body["rows"]}
    assert set(rows) == {("value", "杭州"), ("premium", "杭州")}
    value = rows[("value", "杭州")]
    assert (value["reminders"], value["visits"], value["ordered"], value["conversion_percent"],
            value["reminder_revenue"], value["shop_orders"], value["shop_revenue"]) == (
        2, 1, 1, "100.0", "78.00", 1, "78.00")
    premium = rows[("premium", "杭州")]
    assert (premium["reminders"], premium["converted"], premium["conversion_percent"]) == (1, 0, "0.0")
    assert body["total"]["reminders"] == 3 and body["total"]["shop_revenue"] == "78.00"
    assert body["leads"] == {"won_through_sales": 1, "value": "78.00", "commission": "7.80"}
    lead.refresh_from_db()
    assert lead.value == Decimal("78.00")
    rival = api_as("rival_dispatcher").get("/api/v1/reports/conversion").json()
    assert rival["rows"] == [] and rival["leads"]["won_through_sales"] == 0
    assert api_as("manager_a").get("/api/v1/reports/conversion").status_code == 403
    assert api_as("customer").get("/api/v1/reports/conversion").status_code == 403
    page = api_as("analyst")
    page.force_login(shop.analyst)
    html = page.get("/console/shop/conversion/").content.decode()
    assert 'data-segment="value"' in html and "¥78.00" in html
