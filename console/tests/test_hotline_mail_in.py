"""Mail-in at the hotline desk over real HTTP (Django's test client, htmx requests as htmx sends them): the service
"mail-in repair" offers the courier's pickup windows from intake's preview, the estimate with the courier both ways,
and books the window the agent picks; where no outlet serves the caller's address, a repair's preview offers mail-in
instead, with one tap that switches the service and shows the windows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from console.hotline_forms import slot_value
from customers.tests.factories import InstalledProductFactory
from logistics.models import MailIn, Shipment
from logistics.tests.setup import inbound, prepare_mail_in
from network.models import Technician
from workorders import intake
from workorders.choices import Status
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
INSTEAD = ("No service outlet covers this address. A courier can collect the unit for repair at our repair centre "
           "instead.")


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_mail_in(world)


@pytest.fixture
def agent(w) -> Client:
    client = Client()
    client.force_login(w.hotline)
    return client


def preview_url(w) -> str:
    return f"/console/hotline/callers/{w.customer.pk}/preview/"


def request_url(w) -> str:
    return f"/console/hotline/callers/{w.customer.pk}/requests/"


def windows(product) -> list[str]:
    return [slot_value(s.start, s.end) for s in intake.preview(product=product, service_type="mail_in").slots]


def radios(body: str) -> list[tuple[str, bool]]:
    return [(value, bool(checked)) for value, checked in
            re.findall(r'<input type="radio" name="request-slot" value="([^"]*)" ?(checked)?>', body)]


def written() -> tuple[int, int, int]:
    return WorkOrder.objects.count(), MailIn.objects.count(), Shipment.objects.count()


def test_mail_in_offers_the_pickup_windows_with_the_first_picked_and_the_courier_in_the_estimate(w, agent):
    old = InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial="SN-OLD-1",
                                  site=w.product.site, purchase_date=dt.date(2020, 1, 5),
                                  install_date=dt.date(2020, 1, 10))

    body = agent.get(preview_url(w), {"request-product": old.pk, "request-service_type": "mail_in",
                                      "request-symptom_code": "leak"}, **HX).content.decode()

    offered = windows(old)
    assert offered and radios(body) == [(v, v == offered[0]) for v in offered]  # no "no appointment now"
    assert "<legend>Courier pickup window</legend>" in body and 'id="pickup-note"' in body
    preview = intake.preview(product=old, service_type="mail_in", symptom_code="leak")
    assert re.search(r'<tr id="courier-line">\s*<td data-label="Item">Courier, both ways</td>\s*'
                     r'<td data-label="Price" class="money">¥30.00</td>', body)
    assert f'id="estimate-total">¥{preview.quote.total + 30:.2f}' in body


def test_the_agent_books_mail_in_in_the_window_picked(w, agent):
    chosen = windows(w.product)[2]

    response = agent.post(request_url(w), {
        "request-product": w.product.pk, "request-service_type": "mail_in", "request-symptom_code": "leak",
        "request-description": "滤芯处漏水", "request-priority": "normal", "request-slot": chosen}, **HX)

    assert response.status_code == 200, response.content.decode()
    order = WorkOrder.objects.get()
    assert (order.type, order.channel, order.status, order.outlet_id, order.created_by) == (
        "mail_in", "hotline", Status.ASSIGNED, w.centre.pk, w.hotline)
    assert slot_value(order.slot_start, order.slot_end) == chosen
    case = MailIn.objects.get(work_order=order)
    assert slot_value(case.pickup_start, case.pickup_end) == chosen
    assert (inbound(case).window_start, inbound(case).window_end) == (order.slot_start, order.slot_end)
    assert 'id="order-created"' in response.content.decode() and order.number in response.content.decode()


def test_a_pickup_window_off_the_grid_is_refused_beside_the_picker_and_nothing_is_booked(w, agent):
    start = intake.preview(product=w.product, service_type="mail_in").slots[0].start + dt.timedelta(minutes=30)

    response = agent.post(request_url(w), {
        "request-product": w.product.pk, "request-service_type": "mail_in", "request-symptom_code": "leak",
        "request-priority": "normal", "request-slot": slot_value(start, start + dt.timedelta(hours=2))}, **HX)

    assert response.status_code == 422
    assert 'id="error-request-slot">Choose one of the offered pickup windows.' in response.content.decode()
    assert written() == (0, 0, 0)


def test_no_repair_centre_says_so_where_the_windows_would_be(w, agent):
    w.centre.is_repair_centre = False
    w.centre.save(update_fields=["is_repair_centre"])

    body = agent.get(preview_url(w), {"request-product": w.product.pk, "request-service_type": "mail_in"},
                     **HX).content.decode()

    assert radios(body) == []
    assert ('id="no-centre">No repair centre takes mail-in repairs of this product yet. Please book a visit '
            'instead.</p>') in body


def test_nobody_serving_the_address_offers_mail_in_and_one_tap_switches_the_service(w, agent):
    w.region.outlets.clear()

    body = agent.get(preview_url(w), {"request-product": w.product.pk, "request-service_type": "repair",
                                      "request-symptom_code": "leak"}, **HX).content.decode()

    assert re.search(r'id="mail-in-instead" role="status">\s*<p>' + re.escape(INSTEAD), body)
    button = re.search(r'<button type="button" class="btn btn-primary" id="switch-to-mail-in"(.*?)>Switch to mail-in '
                       r'repair</button>', body, re.S).group(1)
    assert f'hx-get="{preview_url(w)}"' in button
    assert """hx-vals='{"request-service_type": "mail_in", "switch": "mail_in"}'""" in button
    assert radios(body) == [] and 'id="service-type-field"' not in body

    # The tap, as htmx sends it: the form's fields with the service overridden.
    switched = agent.get(preview_url(w), {"request-product": w.product.pk, "request-service_type": "mail_in",
                                          "request-symptom_code": "leak", "switch": "mail_in"}, **HX).content.decode()

    offered = windows(w.product)
    assert [v for v, _ in radios(switched)] == offered and 'id="mail-in-instead"' not in switched
    # The service select beside the preview is swapped to mail-in, so "Create the order" books what is shown.
    select = re.search(r'<span id="service-type-field" hx-swap-oob="true">(.*?)</span>', switched, re.S).group(1)
    assert '<option value="mail_in" selected>' in select


def test_booked_up_outlets_are_not_nobody_serving(w, agent):
    Technician.objects.update(is_active=False)

    body = agent.get(preview_url(w), {"request-product": w.product.pk, "request-service_type": "repair"},
                     **HX).content.decode()

    assert 'id="mail-in-instead"' not in body and 'id="no-outlet"' not in body and 'id="no-slots"' in body


def test_nobody_serving_a_unit_that_cannot_be_sent_in_is_said_plainly(w, agent):
    w.region.outlets.clear()
    w.category.mail_in_allowed = False
    w.category.save(update_fields=["mail_in_allowed"])

    body = agent.get(preview_url(w), {"request-product": w.product.pk, "request-service_type": "repair"},
                     **HX).content.decode()

    assert 'id="mail-in-instead"' not in body and 'id="no-slots"' not in body
    assert 'id="no-outlet">No service outlet covers this address.</p>' in body


def test_the_panel_in_chinese(w, agent):
    w.region.outlets.clear()

    body = agent.get(preview_url(w), {"request-product": w.product.pk, "request-service_type": "repair"},
                     HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "该地址暂无服务网点覆盖。可改为寄修" in body and ">改为寄修</button>" in body
    body = agent.get(preview_url(w), {"request-product": w.product.pk, "request-service_type": "mail_in"},
                     HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<legend>预约取件时段</legend>" in body and "往返快递费" in body
