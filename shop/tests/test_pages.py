"""The portal's shop pages and the console's shop desk over HTTP (thin over shop.services)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from maintenance.choices import ReminderStatus, ScheduleKind
from maintenance.models import ConsumableRule, Reminder, Schedule
from shop.models import ShopOrder
from shop.tests.factories import snapshot

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_reminders_link_preselects_its_filter_and_the_order_records_it(shop):
    schedule = Schedule.objects.create(brand=shop.brand, customer=shop.customer, product=shop.product,
                                       kind=ScheduleKind.CONSUMABLE, rule=ConsumableRule.objects.get(part=shop.filter),
                                       due_on=timezone.localdate())
    reminder = Reminder.objects.create(brand=shop.brand, customer=shop.customer, schedule=schedule,
                                       due_on=schedule.due_on, sent_at=timezone.now())
    client = _client(shop.customer.user)
    page = client.get(f"/portal/acme/shop/?r={reminder.token}")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'value="part:{shop.filter.pk}" checked' in html and f'value="{reminder.token}"' in html
    assert f"part:{shop.big_filter.pk}" not in html  # fits another model only
    placed = client.post("/portal/acme/shop/order/", {"product": shop.product.pk, "item": f"part:{shop.filter.pk}",
                                                      f"qty-part:{shop.filter.pk}": "2", "delivery": "courier",
                                                      "address": "杭州市西湖区文三路 1 号", "r": reminder.token})
    order = ShopOrder.objects.get()
    assert placed.status_code == 302 and placed["Location"] == f"/portal/acme/shop/orders/{order.pk}/"
    assert (order.reminder, order.total, order.address) == (reminder, Decimal("78.00"), "杭州市西湖区文三路 1 号")
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT  # ordered once it is paid
    shown = client.get(f"/portal/acme/shop/orders/{order.pk}/").content.decode()
    assert order.number in shown and "¥78.00" in shown and 'id="pay-later"' in shown


def test_another_customers_unit_cannot_be_ordered_for(shop):
    before = snapshot()
    got = _client(shop.customer.user).post("/portal/acme/shop/order/", {
        "product": shop.other_product.pk, "item": f"part:{shop.filter.pk}", "delivery": "courier"})
    assert got.status_code == 404
    assert snapshot() == before


def test_the_shop_desk_records_a_payment_and_ships(shop):
    client = _client(shop.customer.user)
    client.post("/portal/acme/shop/order/", {"product": shop.product.pk, "item": f"part:{shop.filter.pk}",
                                             "delivery": "courier"})
    order = ShopOrder.objects.get()
    desk = _client(shop.dispatcher)
    listed = desk.get("/console/shop/orders/").content.decode()
    assert order.number in listed
    desk.post(f"/console/shop/orders/{order.pk}/step/", {"action": "record", "method": "cash", "amount": "39.00"})
    desk.post(f"/console/shop/orders/{order.pk}/step/", {"action": "ship", "waybill": "SF42"})
    order.refresh_from_db()
    assert (order.status, order.waybill) == ("fulfilling", "SF42")
    assert _client(shop.manager_a).get("/console/shop/orders/").status_code == 403
    assert _client(shop.rival_dispatcher).post(f"/console/shop/orders/{order.pk}/step/",
                                               {"action": "delivered"}).status_code == 404
