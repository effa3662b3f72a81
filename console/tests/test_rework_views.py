"""The console's order page asks for a rework (返修) the one way there is: a new order linked to the finished one."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def page(client, order) -> str:
    response = client.get(f"/console/orders/{order.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def ask(client, order, **data):
    body = {"rework-outlet": data.get("outlet", ""), "rework-reason": data.get("reason", "")}
    return client.post(f"/console/orders/{order.pk}/rework/", body)


def test_the_hotline_reworks_a_closed_order_and_both_pages_link_to_each_other(world):
    original = make_order(world, status=Status.CLOSED)
    hotline = signed_in(world.hotline)
    html = page(hotline, original)
    assert 'id="rework-form"' in html and 'data-action="reopen"' not in html
    assert re.search(rf'<option value="{world.outlet_a.pk}" selected>', html)  # the same outlet, unless changed

    response = ask(hotline, original, outlet=world.outlet_b.pk, reason="还是漏水")

    made = WorkOrder.objects.get(rework_of=original)
    assert response.status_code == 302 and response["Location"] == f"/console/orders/{made.pk}/"
    assert (made.status, made.outlet_id, made.is_rework) == (Status.ASSIGNED, world.outlet_b.pk, True)
    rework_page = page(hotline, made)
    assert re.search(rf'id="rework-of"><a href="/console/orders/{original.pk}/">{original.number}</a>', rework_page)
    assert f"Does {original.number} again" in rework_page
    original_page = page(hotline, original)
    assert re.search(rf'id="reworked-as"><a href="/console/orders/{made.pk}/">{made.number}</a>', original_page)
    assert f"Done again as {made.number} by Outlet B" in original_page
    assert WorkOrder.objects.get(pk=original.pk).status == Status.CLOSED


def test_a_second_ask_is_refused_on_the_page_and_changes_nothing(world):
    original = make_order(world, status=Status.COMPLETED)
    hotline = signed_in(world.hotline)
    assert ask(hotline, original, outlet=world.outlet_b.pk, reason="还是漏水").status_code == 302
    made = WorkOrder.objects.get(rework_of=original)
    orders = WorkOrder.objects.count()

    again = ask(signed_in(world.dispatcher), original, outlet=world.outlet_a.pk, reason="客户又来电")

    assert again.status_code == 409
    assert f"This order is already being reworked as {made.number}." in again.content.decode()
    assert WorkOrder.objects.count() == orders


def test_a_missing_reason_is_said_beside_its_field(world):
    original = make_order(world, status=Status.CLOSED)
    response = ask(signed_in(world.hotline), original, outlet=world.outlet_b.pk, reason="")
    assert response.status_code == 422
    assert re.search(r'id="rework-box" open>', response.content.decode())
    assert "This field is required." in response.content.decode()
    assert not WorkOrder.objects.filter(rework_of=original).exists()


def test_an_outlet_is_offered_no_rework_and_is_refused_one(world):
    original = make_order(world, status=Status.CLOSED)
    manager = signed_in(world.manager_a)
    assert 'id="rework-form"' not in page(manager, original)
    assert ask(manager, original, outlet=world.outlet_a.pk, reason="x").status_code == 403
    assert ask(signed_in(world.manager_b), original, outlet=world.outlet_b.pk, reason="x").status_code == 404
    assert not WorkOrder.objects.filter(rework_of=original).exists()
    # An open order offers no rework either
    assert 'id="rework-form"' not in page(signed_in(world.hotline), make_order(world, status=Status.ON_SITE))
