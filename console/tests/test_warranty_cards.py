"""The console's review of warranty cards (issue 13, item 8): the brand's customer staff approve or reject,
a rejection needs a reason, outlets and customers have no seat here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.principal import principal_of
from customers import warranty_cards
from customers.models import InstalledProduct, WarrantyCard, WarrantyCardPolicy
from workorders.tests.intake_setup import photo_bytes

pytestmark = pytest.mark.django_db

LIST = "/console/warranty-cards/"


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    WarrantyCardPolicy.objects.create(brand=world.brand, review_required=True)
    world.card = warranty_cards.register_purchase(
        actor=principal_of(world.customer.user), customer=world.customer, serial="NEW-0001",
        product_model=world.model, purchase_date=timezone.localdate() - dt.timedelta(days=20),
        purchased_from="苏宁易购", invoice=SimpleUploadedFile("f.jpg", photo_bytes(size=(300, 200))))
    return world


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def state(card):
    card.refresh_from_db()
    return card.status, InstalledProduct.objects.get(pk=card.product_id).purchase_date


def test_the_hotline_sees_the_pending_card_with_its_invoice_and_approves_it(w):
    agent = client_for(w.hotline)
    body = agent.get(LIST).content.decode()
    assert f'data-card="{w.card.pk}"' in body and "苏宁易购" in body
    assert 'data-nav="cards"' in body
    invoice = agent.get(f"/console/warranty-cards/{w.card.pk}/invoice/")
    assert invoice.status_code == 200 and invoice["Content-Type"] == "image/jpeg"
    assert b"".join(invoice.streaming_content)[:3] == b"\xff\xd8\xff"

    response = agent.post(f"/console/warranty-cards/{w.card.pk}/review/", {"decision": "approve"})

    assert response.status_code == 302 and response["Location"] == f"{LIST}?reviewed={w.card.pk}"
    assert state(w.card) == ("approved", w.card.purchase_date)
    assert "Card for NEW-0001: Approved." in agent.get(response["Location"]).content.decode()


def test_a_rejection_without_a_reason_is_refused_beside_the_card(w):
    agent = client_for(w.dispatcher)
    before = state(w.card)

    response = agent.post(f"/console/warranty-cards/{w.card.pk}/review/", {"decision": "reject", "reason": ""})

    assert response.status_code == 422
    assert f'id="error-reason-{w.card.pk}"' in response.content.decode()
    assert state(w.card) == before
    agent.post(f"/console/warranty-cards/{w.card.pk}/review/", {"decision": "reject", "reason": "发票与序列号不符"})
    assert state(w.card) == ("rejected", None)
    assert WarrantyCard.objects.get(pk=w.card.pk).review_reason == "发票与序列号不符"


# The card is fetched through visible_to before the seat check: outlets and technicians see no card (404); the
# brand's analyst and the card's own customer see it but hold no reviewer's seat (403).
@pytest.mark.parametrize(("persona", "refused"), [("manager_a", 404), ("tech_a", 404), ("analyst", 403),
                                                  ("customer", 403)])
def test_no_seat_no_review(w, persona, refused):
    user = getattr(w, persona)
    client = client_for(getattr(user, "user", user))
    before = state(w.card)
    assert client.get(LIST).status_code == 403
    assert client.post(f"/console/warranty-cards/{w.card.pk}/review/", {"decision": "approve"}).status_code == refused
    assert state(w.card) == before


def test_the_top_bar_offers_the_cards_only_when_the_brand_reviews(w):
    WarrantyCardPolicy.objects.filter(brand=w.brand).update(review_required=False)
    assert 'data-nav="cards"' not in client_for(w.hotline).get("/console/").content.decode()
