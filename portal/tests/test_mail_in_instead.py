"""The portal's report flow where no service outlet covers the customer's address: the visit's slots give way to a
clear line and one tap to send the unit in, which shows the pickup windows and books; an address whose outlets are
merely booked up, or a unit that cannot be sent in, is told so differently."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from logistics.models import MailIn
from logistics.tests.setup import prepare_mail_in
from network.models import Technician
from portal.slotpicker import slot_value
from workorders import intake
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
REPORT = "/portal/acme/report/"
INSTEAD = ("No service outlet covers this address. A courier can collect the unit for repair at our repair centre "
           "instead.")


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_mail_in(world)


@pytest.fixture
def client(w):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(w.customer.user)
    return c


def report(client, w, service_type: str, **extra) -> str:
    params = {"product": w.product.pk, "symptom_code": "leak", "service_type": service_type, "seen": "1"}
    response = client.get(REPORT, {**params, **extra}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_nobody_serving_the_address_offers_mail_in_with_one_tap_then_books_it(client, w):
    w.region.outlets.clear()

    body = report(client, w, "repair")

    assert re.search(r'<div class="note note-warning" id="mail-in-instead" role="status">\s*<p>' + re.escape(INSTEAD),
                     body)
    # The tap ticks the mail-in choice of the form (its change reloads the rest of the form for mail-in).
    assert '<label class="btn btn-primary" for="service-mail_in" id="switch-to-mail-in">Send it in by courier</label>' \
        in body
    assert 'name="slot"' not in body and 'id="no-slots"' not in body
    page = client.get(REPORT, {"product": w.product.pk}).content.decode()
    assert '<input type="radio" name="service_type" value="mail_in" id="service-mail_in"' in page

    # Switched: the pickup windows of the repair centre, and no more offer.
    switched = report(client, w, "mail_in")
    offered = [slot_value(s.start, s.end) for s in intake.preview(product=w.product, service_type="mail_in").slots]
    assert offered and re.findall(r'name="slot" value="([^"]+)"', switched) == offered
    assert 'class="pickup-windows"' in switched and 'id="mail-in-instead"' not in switched

    response = client.post(REPORT, {"product": w.product.pk, "symptom_code": "leak", "service_type": "mail_in",
                                    "description": "不出水", "slot": offered[1]})

    order = WorkOrder.objects.get()
    assert response.status_code == 302 and (order.type, order.outlet_id) == ("mail_in", w.centre.pk)
    case = MailIn.objects.get(work_order=order)
    assert slot_value(case.pickup_start, case.pickup_end) == offered[1]


def test_outlets_booked_up_are_not_nobody_serving(client, w):
    Technician.objects.update(is_active=False)

    body = report(client, w, "repair")

    assert 'id="mail-in-instead"' not in body and 'id="no-outlet"' not in body
    assert 'id="no-slots"' in body


def test_nobody_serving_a_unit_that_cannot_be_sent_in_is_said_plainly(client, w):
    w.region.outlets.clear()
    w.centre.is_repair_centre = False
    w.centre.save(update_fields=["is_repair_centre"])

    body = report(client, w, "repair")

    assert 'id="mail-in-instead"' not in body and 'id="no-slots"' not in body
    assert ('<p id="no-outlet">No service outlet covers this address yet. Send the request and we will call you to '
            'arrange the repair.</p>') in body


def test_in_chinese(client, w):
    w.region.outlets.clear()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"

    body = report(client, w, "repair")

    assert "该地址暂无服务网点覆盖。可改为寄修：快递员上门取件，送到我们的维修中心维修。" in body
    assert "改为寄修（上门取件）" in body
