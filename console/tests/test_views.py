"""The staff console through Django's test client: scoping, filters, paging, the detail and its lifecycle steps."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import OutletFactory
from core import paging
from workorders import selectors
from workorders.choices import Status
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
LIST = "/console/"
HX = {"HX-Request": "true"}


def detail_url(order: WorkOrder) -> str:
    return f"/console/orders/{order.pk}/"


def transition_url(order: WorkOrder) -> str:
    return f"/console/orders/{order.pk}/transition/"


@pytest.fixture
def as_user():
    """as_user(user) → a test client signed in as that user, reading English."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        client.cookies["django_language"] = "en"
        return client

    return make


def numbers_in(response) -> set[str]:
    return set(re.findall(r"WO-\d{6}-\d{6}", response.content.decode()))


def snapshot(order: WorkOrder) -> tuple:
    fresh = WorkOrder.objects.get(pk=order.pk)
    return fresh.status, fresh.version, fresh.outlet_id, fresh.technician_id, fresh.events.count()


# --- who gets in -----------------------------------------------------------------------------------------------


def test_home_sends_anonymous_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_home_sends_staff_to_the_console(world, as_user):
    response = as_user(world.dispatcher).get("/")
    assert response.status_code == 302
    assert response["Location"] == LIST


def test_home_sends_customers_to_their_brands_portal(world, as_user):
    make_order(world)
    response = as_user(world.customer.user).get("/")
    assert response.status_code == 302
    assert response["Location"] == f"/portal/{world.brand.code}/"


def test_home_sends_technicians_to_their_app(world, as_user):
    response = as_user(world.tech_a.user).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/field/"


def test_customer_cannot_see_the_list(world, as_user):
    order = make_order(world)
    response = as_user(world.customer.user).get(LIST)
    assert response.status_code == 403
    assert order.number.encode() not in response.content


def test_anonymous_list_redirects_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/console/")


def test_login_page_renders_and_signs_in(world):
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b'name="username"' in page.content and b'name="password"' in page.content
    response = client.post("/accounts/login/", {"username": "dispatcher", "password": "pw-Secret-123"})
    assert response.status_code == 302
    assert client.get(LIST).status_code == 200


def test_top_bar_shows_name_role_language_and_logout(world, as_user):
    world.dispatcher.first_name, world.dispatcher.last_name = "Li", "Wei"
    world.dispatcher.save()
    body = as_user(world.dispatcher).get(LIST).content.decode()
    assert "Li Wei" in body
    assert '<span class="who-role">Dispatcher</span>' in body
    assert 'action="/i18n/setlang/"' in body
    assert 'value="zh-hans"' in body and 'value="en"' in body
    assert re.search(r'<form class="logout" action="/accounts/logout/" method="post">', body)


# --- the list ----------------------------------------------------------------------------------------------------


def test_list_shows_every_brand_order_to_the_dispatcher(world, as_user):
    at_a = make_order(world, status=Status.ASSIGNED)
    at_b = make_order(world, status=Status.ASSIGNED, outlet=world.outlet_b)
    new = make_order(world)
    response = as_user(world.dispatcher).get(LIST)
    assert response.status_code == 200
    assert numbers_in(response) == {at_a.number, at_b.number, new.number}
    assert b"3 orders" in response.content


def test_outlet_manager_sees_only_own_outlets_orders(world, as_user):
    at_a = make_order(world, status=Status.DISPATCHED)
    at_b = make_order(world, status=Status.ASSIGNED, outlet=world.outlet_b)
    response = as_user(world.manager_a).get(LIST)
    assert response.status_code == 200
    assert numbers_in(response) == {at_a.number}
    assert at_b.number.encode() not in response.content
    # The outlet dropdown offers only what the manager may see.
    assert b"Outlet A" in response.content and b"Outlet B" not in response.content


def test_filter_by_status(world, as_user):
    new = make_order(world)
    assigned = make_order(world, status=Status.ASSIGNED)
    response = as_user(world.dispatcher).get(LIST, {"status": "assigned"})
    assert numbers_in(response) == {assigned.number}
    assert new.number.encode() not in response.content


def test_filter_by_sla_state(world, as_user):
    late = make_order(world)
    on_track = make_order(world)
    WorkOrder.objects.filter(pk=late.pk).update(onsite_due=timezone.now() - dt.timedelta(hours=1))
    client = as_user(world.dispatcher)
    assert numbers_in(client.get(LIST, {"sla": "breached"})) == {late.number}
    assert numbers_in(client.get(LIST, {"sla": "ok"})) == {on_track.number}


@pytest.mark.parametrize("query", ["13900000002", "+86 139 0000 0002", "SN-B-0001"])
def test_search_by_phone_and_serial(world, as_user, query):
    mine = make_order(world)
    theirs = make_order(world, customer=world.other_customer, product=world.other_product)
    response = as_user(world.dispatcher).get(LIST, {"q": query})
    assert numbers_in(response) == {theirs.number}
    assert mine.number.encode() not in response.content


def test_search_by_number_ignores_case(world, as_user):
    wanted = make_order(world)
    make_order(world)
    response = as_user(world.dispatcher).get(LIST, {"q": wanted.number.lower()})
    assert numbers_in(response) == {wanted.number}


def test_filter_by_created_dates(world, as_user):
    order = make_order(world)
    today = timezone.localdate()
    client = as_user(world.dispatcher)
    assert numbers_in(client.get(LIST, {"created_from": today, "created_to": today})) == {order.number}
    assert numbers_in(client.get(LIST, {"created_to": today - dt.timedelta(days=1)})) == set()


def test_bad_date_is_a_form_error_not_a_500(world, as_user):
    order = make_order(world)
    response = as_user(world.dispatcher).get(LIST, {"created_from": "2024-13-45"})
    assert response.status_code == 200
    body = response.content.decode()
    assert '<span class="field-error" id="error-created_from">Enter a valid date.</span>' in body
    assert order.number not in body


def test_reversed_date_range_is_reported_beside_the_end_date(world, as_user):
    response = as_user(world.dispatcher).get(LIST, {"created_from": "2026-03-10", "created_to": "2026-03-01"})
    assert response.status_code == 200
    assert b'id="error-created_to">The end date is before the start date.</span>' in response.content


def test_foreign_outlet_in_filter_is_a_form_error(world, as_user):
    response = as_user(world.manager_a).get(LIST, {"outlet": world.outlet_b.pk})
    assert response.status_code == 200
    assert b'id="error-outlet">Select a valid choice.' in response.content


def test_htmx_filter_returns_the_table_partial_with_field_errors_out_of_band(world, as_user):
    order = make_order(world, status=Status.ASSIGNED)
    client = as_user(world.dispatcher)
    response = client.get(LIST, {"status": "assigned"}, headers=HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<section id="order-results"')
    assert order.number in body
    assert "HX-Request" in response["Vary"]
    bad = client.get(LIST, {"created_to": "nope"}, headers=HX).content.decode()
    assert '<span class="field-error" id="error-created_to" hx-swap-oob="true">Enter a valid date.</span>' in bad
    assert '<span class="field-error" id="error-status" hx-swap-oob="true"></span>' in bad


def test_history_restore_gets_the_whole_page(world, as_user):
    response = as_user(world.dispatcher).get(LIST, headers={**HX, "HX-History-Restore-Request": "true"})
    assert b"<html" in response.content


def test_paging(world, as_user, monkeypatch):
    monkeypatch.setattr("console.views.orders.PAGE_SIZE", 2)
    orders = [make_order(world) for _ in range(5)]  # newest first in the list
    client = as_user(world.dispatcher)
    first = client.get(LIST)
    assert numbers_in(first) == {orders[4].number, orders[3].number}
    assert b"Page 1 of 3" in first.content and b'rel="next" href="?page=2"' in first.content
    last = client.get(LIST, {"page": 3})
    assert numbers_in(last) == {orders[0].number}
    assert b"Page 3 of 3" in last.content and b'rel="prev"' in last.content
    # Past the end lands on the last page; garbage is page 1.
    assert numbers_in(client.get(LIST, {"page": 99})) == {orders[0].number}
    assert b"Page 1 of 3" in client.get(LIST, {"page": "x"}).content


def test_paging_keeps_filters(world, as_user, monkeypatch):
    monkeypatch.setattr("console.views.orders.PAGE_SIZE", 1)
    make_order(world, status=Status.ASSIGNED)
    make_order(world, status=Status.ASSIGNED)
    response = as_user(world.dispatcher).get(LIST, {"status": "assigned"})
    assert b'href="?status=assigned&amp;page=2"' in response.content


def test_count_says_plus_when_capped(world, as_user, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    for _ in range(3):
        make_order(world)
    response = as_user(world.dispatcher).get(LIST)
    assert b"2+ orders" in response.content


def test_count_uses_thousands_separator(world, as_user, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 10_000)
    monkeypatch.setattr(selectors, "capped_count", lambda qs: (10_000, True))
    response = as_user(world.dispatcher).get(LIST)
    assert b"10,000+ orders" in response.content


# --- the detail --------------------------------------------------------------------------------------------------


def test_detail_shows_customer_product_sla_history_and_timeline(world, as_user):
    world.customer.tags = ["VIP", "two units"]
    world.customer.save()
    earlier = make_order(world, status=Status.CLOSED)
    order = make_order(world, status=Status.ASSIGNED)
    response = as_user(world.dispatcher).get(detail_url(order))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("customer", "+8613900000001", "VIP", "two units", "SN-A-0001", "RO-500", "Service history",
                 earlier.number, "Respond by", "On site by", "Assign to outlet", "New → Assigned to outlet"):
        assert text in body, text
    assert 'data-status="assigned"' in body


def test_detail_actions_match_the_workflow(world, as_user):
    order = make_order(world, status=Status.ASSIGNED)
    body = as_user(world.dispatcher).get(detail_url(order)).content.decode()
    assert re.findall(r'data-action="(\w+)">', body)[:4] == ["return_to_brand", "dispatch", "hold", "cancel"]
    # The technician select offers the outlet's active technicians only.
    assert "tech_a" in body and "tech_a2" in body and "tech_b" not in body
    assert f'name="version" value="{order.version}"' in body


def test_detail_is_404_for_an_order_of_another_outlet(world, as_user):
    order = make_order(world, status=Status.ASSIGNED)
    assert as_user(world.manager_b).get(detail_url(order)).status_code == 404


def test_detail_is_404_for_another_customers_order(world, as_user):
    order = make_order(world, customer=world.other_customer, product=world.other_product)
    assert as_user(world.customer.user).get(detail_url(order)).status_code == 404


def test_detail_is_404_for_unknown_and_rival_orders(world, as_user):
    order = make_order(world)
    assert as_user(world.dispatcher).get("/console/orders/999999/").status_code == 404
    assert as_user(world.rival_dispatcher).get(detail_url(order)).status_code == 404


# --- lifecycle steps ---------------------------------------------------------------------------------------------


def test_htmx_transition_changes_status_and_appears_in_timeline(world, as_user):
    order = make_order(world)
    response = as_user(world.dispatcher).post(
        transition_url(order), {"action": "assign", "version": order.version, "outlet": world.outlet_a.pk}, headers=HX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="order-detail"')
    assert 'data-status="assigned"' in body
    assert "Done: Assign to outlet" in body
    assert "Outlet: Outlet A" in body
    order.refresh_from_db()
    assert (order.status, order.outlet_id, order.version) == (Status.ASSIGNED, world.outlet_a.pk, 2)
    event = WorkOrderEvent.objects.filter(work_order=order).last()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "assign", Status.NEW, Status.ASSIGNED, world.dispatcher)
    # The re-rendered actions carry the new version.
    assert 'name="version" value="2"' in body


def test_plain_post_redirects_to_the_detail(world, as_user):
    order = make_order(world, status=Status.ASSIGNED)
    response = as_user(world.manager_a).post(
        transition_url(order), {"action": "dispatch", "version": order.version, "technician": world.tech_a.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(order)
    order.refresh_from_db()
    assert (order.status, order.technician_id) == (Status.DISPATCHED, world.tech_a.pk)


def test_stale_version_is_409_and_changes_nothing(world, as_user):
    order = make_order(world)
    before = snapshot(order)
    response = as_user(world.dispatcher).post(
        transition_url(order), {"action": "assign", "version": order.version - 1, "outlet": world.outlet_a.pk},
        headers=HX,
    )
    assert response.status_code == 409
    assert response["X-Domain-Error"] == "409"
    assert b"Someone else changed this record; reload and try again." in response.content
    assert snapshot(order) == before


def test_missing_reason_is_422_beside_the_field(world, as_user):
    order = make_order(world)
    before = snapshot(order)
    response = as_user(world.dispatcher).post(
        transition_url(order), {"action": "cancel", "version": order.version, "reason": "  "}, headers=HX
    )
    assert response.status_code == 422
    assert re.search(
        r'id="id_cancel_reason">\s*</textarea>\s*<span class="field-error">Give a reason for this step.</span>',
        response.content.decode(),
    )
    assert snapshot(order) == before


def test_hold_needs_a_hold_reason(world, as_user):
    order = make_order(world, status=Status.ASSIGNED)
    before = snapshot(order)
    response = as_user(world.dispatcher).post(
        transition_url(order), {"action": "hold", "version": order.version, "reason": "parts late"}, headers=HX
    )
    assert response.status_code == 422
    assert b'<span class="field-error">Choose why the order is on hold.</span>' in response.content
    assert snapshot(order) == before


def test_outlet_of_another_brand_is_refused(world, as_user):
    rival_outlet = OutletFactory(brand=world.other_brand, name="Rival Outlet")
    order = make_order(world)
    before = snapshot(order)
    response = as_user(world.dispatcher).post(
        transition_url(order), {"action": "assign", "version": order.version, "outlet": rival_outlet.pk}, headers=HX
    )
    assert response.status_code == 422
    assert b"Select a valid choice." in response.content
    assert snapshot(order) == before


def test_step_not_allowed_for_the_role_is_403_in_the_panel(world, as_user):
    order = make_order(world, status=Status.ASSIGNED)
    before = snapshot(order)
    response = as_user(world.manager_a).post(
        transition_url(order), {"action": "close", "version": order.version}, headers=HX
    )
    assert response.status_code == 403
    assert re.search(r'<div class="alert alert-error" role="alert">Your role may not take this step.</div>',
                     response.content.decode())
    assert snapshot(order) == before


def test_illegal_step_is_409(world, as_user):
    order = make_order(world)
    before = snapshot(order)
    response = as_user(world.dispatcher).post(
        transition_url(order), {"action": "resume", "version": order.version}, headers=HX
    )
    assert response.status_code == 409
    assert b"This step is not allowed from the order&#x27;s current status." in response.content
    assert snapshot(order) == before


def test_unknown_action_is_422(world, as_user):
    order = make_order(world)
    before = snapshot(order)
    response = as_user(world.dispatcher).post(transition_url(order), {"action": "explode", "version": 1}, headers=HX)
    assert response.status_code == 422
    assert snapshot(order) == before


def test_transition_on_a_foreign_order_is_404_and_changes_nothing(world, as_user):
    order = make_order(world, status=Status.ASSIGNED)
    before = snapshot(order)
    response = as_user(world.manager_b).post(
        transition_url(order), {"action": "return_to_brand", "version": order.version, "reason": "not ours"},
        headers=HX,
    )
    assert response.status_code == 404
    assert snapshot(order) == before


def test_customer_cannot_step_through_the_console(world, as_user):
    order = make_order(world)
    before = snapshot(order)
    response = as_user(world.customer.user).post(
        transition_url(order), {"action": "cancel", "version": order.version, "reason": "changed my mind"}
    )
    assert response.status_code == 403
    assert snapshot(order) == before


def test_transition_refuses_get(world, as_user):
    order = make_order(world)
    assert as_user(world.dispatcher).get(transition_url(order)).status_code == 405


def test_the_top_bar_offers_each_role_its_own_sections(world, as_user):
    def nav(user, path="/console/"):
        html = as_user(user).get(path).content.decode()
        return re.findall(r'data-nav="([a-z]+)"', html), re.findall(r'aria-current="page" data-nav="([a-z]+)"', html)

    assert nav(world.dispatcher) == (["orders", "hotline", "dispatch", "imports", "callbacks", "parts", "bench",
                                      "leads", "complaints", "contracts", "shop", "notifications", "preferences"],
                                     ["orders"])
    assert nav(world.dispatcher, "/console/imports/")[1] == ["imports"]
    assert nav(world.dispatcher, "/console/parts/stock/")[1] == ["parts"]
    assert nav(world.dispatcher, "/console/complaints/")[1] == ["complaints"]
    assert nav(world.tech_a.user) == (["field", "orders", "van", "earnings", "notifications", "preferences"],
                                      ["orders"])
    field = as_user(world.tech_a.user).get("/field/").content.decode()
    assert re.findall(r'data-tab="([a-z]+)"( aria-current="page")?', field) == [
        ("jobs", ' aria-current="page"'), ("van", ""), ("earnings", "")]
