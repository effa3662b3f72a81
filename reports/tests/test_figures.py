"""Urges per order (a KPI): per outlet and in total, over the orders the user may see, on the console's page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.principal import principal_of
from reports.figures import urge_figures
from workorders import urges
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def late(order):
    WorkOrder.objects.filter(pk=order.pk).update(slot_end=None, onsite_due=timezone.now() - dt.timedelta(hours=1))
    return WorkOrder.objects.get(pk=order.pk)


@pytest.fixture
def urged(world):
    """Outlet A: three orders, one urged twice and one once; outlet B: one order, never urged."""
    customer, start = principal_of(world.customer.user), timezone.now()
    a1, a2, _a3 = (late(make_order(world, status=Status.DISPATCHED)) for _ in range(3))
    make_order(world, status=Status.DISPATCHED, customer=world.other_customer, product=world.other_product,
               outlet=world.outlet_b, technician=world.tech_b)
    urges.urge_order(order=a1, actor=customer, channel="portal", now=start)
    urges.urge_order(order=a1, actor=customer, channel="portal", now=start + dt.timedelta(hours=1))
    urges.urge_order(order=a2, actor=customer, channel="wechat", now=start)
    return world


def period():
    now = timezone.now()
    return {"since": now - dt.timedelta(days=1), "until": now + dt.timedelta(minutes=1)}


def test_urges_per_order_by_outlet_and_in_total(urged):
    rows, total = urge_figures(urged.dispatcher, **period())
    by_outlet = {r.outlet_id: (r.orders, r.urged_orders, r.urges, r.urges_per_order, r.urged_share) for r in rows}
    assert by_outlet == {
        urged.outlet_a.pk: (3, 2, 3, Decimal("1.00"), Decimal("66.7")),
        urged.outlet_b.pk: (1, 0, 0, Decimal("0.00"), Decimal("0.0")),
    }
    assert [r.outlet_id for r in rows] == [urged.outlet_a.pk, urged.outlet_b.pk]  # the most urged first
    assert (total.orders, total.urged_orders, total.urges, total.urges_per_order) == (4, 2, 3, Decimal("0.75"))


def test_an_outlet_sees_only_its_own_orders_figures(urged):
    rows, total = urge_figures(urged.manager_b, **period())
    assert [(r.outlet_id, r.orders, r.urges) for r in rows] == [(urged.outlet_b.pk, 1, 0)]
    rows, _ = urge_figures(urged.rival_dispatcher, **period())
    assert rows == []


def test_orders_outside_the_period_are_not_counted(urged):
    now = timezone.now()
    rows, total = urge_figures(urged.dispatcher, since=now + dt.timedelta(minutes=1), until=now + dt.timedelta(days=1))
    assert (rows, total.orders, total.urges_per_order) == ([], 0, Decimal(0))


def test_the_console_page_shows_the_figures_to_each_their_own(urged):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(urged.dispatcher)
    html = client.get("/console/figures/urges/").content.decode()
    assert "Outlet A" in html and "Outlet B" in html and "66.7%" in html
    client.force_login(urged.manager_b)
    html = client.get("/console/figures/urges/?days=7").content.decode()
    assert "Outlet B" in html and "Outlet A" not in html
