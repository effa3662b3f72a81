"""Portal → Add a product with a serial the brand has not seen: the electronic warranty card (issue 13, item 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from customers.models import InstalledProduct, WarrantyCard, WarrantyCardPolicy
from workorders.tests.intake_setup import photo_bytes

pytestmark = pytest.mark.django_db

ADD = "/portal/acme/products/add/"


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world.model.serial_pattern = r"AQRO\d{6}"
    world.model.save()
    return world


def as_customer(world) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.customer.user)
    return client


def card_post(**over) -> dict:
    return {"step": "card", "serial": "AQRO000888", "product_model": "",
            "purchase_date": (timezone.localdate() - dt.timedelta(days=5)).isoformat(),
            "purchased_from": "京东自营旗舰店",
            "invoice": SimpleUploadedFile("fapiao.jpg", photo_bytes(size=(640, 480)), content_type="image/jpeg")} | over


def rows():
    return list(InstalledProduct.objects.values_list("pk", "serial")), list(WarrantyCard.objects.values_list("pk"))


def test_an_unknown_serial_opens_the_warranty_card_with_the_model_from_the_pattern(w):
    response = as_customer(w).post(ADD, {"serial": "aqro000888"})

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="warranty-card-form"' in body and 'value="AQRO000888"' in body
    assert f'<option value="{w.model.pk}" selected>' in body


def test_registering_the_purchase_adds_the_unit_with_its_card(w):
    client = as_customer(w)

    response = client.post(ADD, card_post())

    unit = InstalledProduct.objects.get(serial="AQRO000888")
    assert response.status_code == 302 and response["Location"] == f"/portal/acme/products/{unit.pk}/"
    assert (unit.customer, unit.product_model, unit.warranty_card.status) == (w.customer, w.model, "approved")
    page = client.get(response["Location"]).content.decode()
    assert 'id="warranty-card"' in page and "京东自营旗舰店" in page and "In warranty" in page


def test_with_review_the_customer_sees_the_card_waiting(w):
    WarrantyCardPolicy.objects.create(brand=w.brand, review_required=True)
    client = as_customer(w)

    response = client.post(ADD, card_post())

    page = client.get(response["Location"]).content.decode()
    assert 'data-card="pending"' in page and "Warranty card under review" in page
    home = client.get("/portal/acme/").content.decode()
    assert 'data-card="pending"' in home


@pytest.mark.parametrize(("over", "field"), [
    ({"purchase_date": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}, "purchase_date"),
    ({"purchased_from": ""}, "purchased_from"),
    ({"invoice": SimpleUploadedFile("x.jpg", b"<svg/>", content_type="image/jpeg")}, "invoice"),
])
def test_a_refused_card_says_why_beside_the_field_and_writes_nothing(w, over, field):
    before = rows()
    response = as_customer(w).post(ADD, card_post(**over))
    assert response.status_code == 422
    assert f'id="error-{field}"' in response.content.decode()
    assert rows() == before
