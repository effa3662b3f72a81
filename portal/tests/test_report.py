"""Report a problem: symptom, self-help first, warranty and price, a slot the outlets can offer, confirm."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from network.models import Technician
from portal.slotpicker import slot_value
from portal.tests.conftest import photo
from workorders import intake
from workorders.choices import Channel, Status
from workorders.models import WorkOrder, WorkOrderAttachment

pytestmark = pytest.mark.django_db
URL = "/portal/acme/report/"


@pytest.fixture
def client(ready):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(ready.customer.user)
    return c


def first_slot(world) -> str:
    offer = intake.preview(product=world.product, service_type="repair", symptom_code="leak").slots[0]
    return slot_value(offer.start, offer.end)


def orders():
    return list(WorkOrder.objects.order_by("pk").values_list("pk", "status"))


def test_the_only_product_is_chosen_and_symptoms_are_its_categorys(client, ready):
    body = client.get(URL).content.decode()
    assert f'name="product" value="{ready.product.pk}"' in body
    assert "Leaking" in body and "No water comes out" in body
    assert "Confirm the request" not in body  # nothing to confirm before a symptom is chosen


def test_self_help_first_then_price_and_slots(client, ready):
    params = {"product": ready.product.pk, "symptom_code": "no-water", "service_type": "repair"}
    help_first = client.get(URL, params, HTTP_HX_REQUEST="true")
    body = help_first.content.decode()
    assert help_first.status_code == 200 and "<html" not in body  # the partial only
    assert "No water or only a trickle?" in body and 'id="still-broken"' in body
    assert 'id="quote"' not in body
    booking = client.get(URL, {**params, "seen": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="quote"' in booking and "Covered by warranty" in booking
    assert 'id="quote-total">¥0.00' in booking  # in warranty, call-out in the free band
    assert 'name="slot"' in booking and "Confirm the request" in booking


def test_excluded_symptom_is_not_covered_and_priced(client, ready):
    booking = client.get(URL, {"product": ready.product.pk, "symptom_code": "dropped", "seen": "1"}).content.decode()
    assert "Not covered by warranty" in booking and "Excluded from warranty" in booking
    assert 'id="quote-total">¥80.00' in booking  # repair labour of the purifier list


def test_confirm_opens_a_portal_order_with_slot_and_photos(client, ready):
    slot = first_slot(ready)
    response = client.post(URL, {"product": ready.product.pk, "symptom_code": "leak", "service_type": "repair",
                                 "description": "厨房水槽下面一直滴水", "slot": slot,
                                 "photos": [photo("a.jpg"), photo("b.png", "PNG")]})
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/acme/orders/{order.pk}/"
    assert (order.channel, order.type, order.customer_id, order.product_id) == (
        Channel.PORTAL, "repair", ready.customer.pk, ready.product.pk)
    assert slot_value(order.slot_start, order.slot_end) == slot
    assert order.status == Status.ASSIGNED and order.symptom == "厨房水槽下面一直滴水"
    assert WorkOrderAttachment.objects.filter(work_order=order).count() == 2
    page = client.get(response["Location"]).content.decode()
    assert order.number in page


def test_a_slot_taken_meanwhile_says_so_and_offers_the_rest(client, ready):
    slot = first_slot(ready)
    Technician.objects.update(is_active=False)  # nobody can take it any more
    response = client.post(URL, {"product": ready.product.pk, "symptom_code": "leak", "slot": slot,
                                 "photos": [photo()]})
    body = response.content.decode()
    assert response.status_code == 409 and "no longer available" in body and 'id="error-slot"' in body
    assert "Please add your photos again." in body
    assert orders() == [] and not WorkOrderAttachment.objects.exists()


@pytest.mark.parametrize(("data", "field"), [
    ({"symptom_code": ""}, "symptom_code"),
    ({"symptom_code": "__other", "description": ""}, "description"),
    ({"symptom_code": "no-such-symptom"}, "symptom_code"),
    ({"slot": "tomorrow at nine"}, "slot"),
    ({"slot": "2020-01-01T09:00:00+08:00/2020-01-01T11:00:00+08:00"}, "slot"),
    ({"description": "x" * 2001}, "description"),
    ({"service_type": "mail_in"}, "service_type"),  # purifiers are not mailed in
    ({"service_type": "install"}, "service_type"),
])
def test_bad_input_is_a_message_beside_the_field_and_no_order(client, ready, data, field):
    post = {"product": ready.product.pk, "symptom_code": "leak", "service_type": "repair",
            "slot": first_slot(ready), **data}
    response = client.post(URL, post)
    assert response.status_code == 422, (data, response.status_code)
    assert f'id="error-{field}"' in response.content.decode()
    assert orders() == []


def test_too_many_or_bad_photos_are_refused(client, ready):
    base = {"product": ready.product.pk, "symptom_code": "leak", "slot": first_slot(ready)}
    six = client.post(URL, {**base, "photos": [photo(f"{i}.jpg") for i in range(6)]})
    assert six.status_code == 422 and 'id="error-photos"' in six.content.decode()
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    bad = client.post(URL, {**base, "photos": [fake]})
    assert bad.status_code == 422 and 'id="error-photos"' in bad.content.decode()
    assert orders() == []


def test_someone_elses_product_cannot_be_reported(client, ready):
    response = client.post(URL, {"product": ready.other_product.pk, "symptom_code": "leak"})
    assert response.status_code == 422 and 'id="error-product"' in response.content.decode()
    assert orders() == []
    assert 'id="error-product"' in client.get(URL, {"product": ready.other_product.pk}).content.decode()


def test_mail_in_for_a_category_that_allows_it_but_no_repair_centre(client, ready):
    # Booking with a pickup window: portal/tests/test_mail_in.py (a world with a repair centre).
    ready.category.mail_in_allowed = True
    ready.category.save()
    page = client.get(URL, {"product": ready.product.pk, "symptom_code": "leak", "service_type": "mail_in",
                            "seen": "1"}).content.decode()
    assert "I send it in for repair" in page and 'id="error-service_type"' in page and 'name="slot"' not in page
    response = client.post(URL, {"product": ready.product.pk, "symptom_code": "leak", "service_type": "mail_in"})
    assert response.status_code == 422 and 'id="visit-instead"' in response.content.decode()
    assert orders() == []


def test_solved_by_self_help_opens_nothing(client, ready):
    response = client.get("/portal/acme/report/solved/")
    assert response.status_code == 302 and response["Location"] == "/portal/acme/"
    assert orders() == []


def test_an_open_order_of_the_product_is_pointed_out(client, ready):
    from workorders.tests.factories import make_order

    open_order = make_order(ready, status=Status.ASSIGNED)
    body = client.get(URL, {"product": ready.product.pk, "symptom_code": "leak", "seen": "1"}).content.decode()
    assert 'id="duplicates"' in body and f'/portal/acme/orders/{open_order.pk}/' in body


def test_a_product_without_an_address_is_booked_without_a_slot(client, ready):
    ready.product.site = None
    ready.product.save()
    body = client.get(URL, {"product": ready.product.pk, "symptom_code": "leak", "seen": "1"}).content.decode()
    assert 'id="no-slots"' in body
    response = client.post(URL, {"product": ready.product.pk, "symptom_code": "leak"})
    assert response.status_code == 302 and WorkOrder.objects.get().slot_start is None
