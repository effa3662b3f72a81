"""The electronic warranty card (issue 13, item 8): a customer registers a unit the brand has not seen; the
model comes from the serial's pattern (or the customer's choice, checked against it); with the brand's review
on, the warranty counts only once staff approve. Every refusal writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.principal import principal_of
from catalog.tests.factories import ProductModelFactory
from core.dates import add_months
from core.errors import DomainError
from customers import warranty_cards as cards
from customers.choices import WarrantyCardStatus
from customers.models import InstalledProduct, WarrantyCard, WarrantyCardPolicy
from workorders.tests.intake_setup import photo_bytes

pytestmark = pytest.mark.django_db

SERIAL = "AQRO000777"


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world.model.serial_pattern = r"AQRO\d{6}"
    world.model.save()
    world.other_model = ProductModelFactory(category=world.category, code="UF-1", serial_pattern=r"AQUF\d{6}")
    return world


def invoice(content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile("invoice.jpg", content or photo_bytes(size=(800, 600)), content_type="image/jpeg")


def register(w, **over):
    fields = {"serial": SERIAL, "purchase_date": timezone.localdate() - dt.timedelta(days=10),
              "purchased_from": "京东自营旗舰店", "invoice": invoice()} | over
    return cards.register_purchase(actor=principal_of(w.customer.user), customer=w.customer, **fields)


def rows():
    return (list(InstalledProduct.objects.order_by("pk").values()), list(WarrantyCard.objects.values()))


def test_a_unit_the_brand_has_not_seen_is_registered_with_its_model_from_the_serial(w):
    bought = timezone.localdate() - dt.timedelta(days=10)

    card = register(w, serial=" aqro000777 ")

    product = card.product
    assert (product.serial, product.product_model, product.customer) == (SERIAL, w.model, w.customer)
    assert (product.purchase_date, product.warranty_end) == (bought, add_months(bought, w.model.warranty_months))
    assert (card.status, card.purchased_from) == (WarrantyCardStatus.APPROVED, "京东自营旗舰店")
    assert card.invoice.read(3) == b"\xff\xd8\xff"  # the cleaned JPEG, not the upload


def test_with_review_on_the_warranty_waits_for_approval(w):
    WarrantyCardPolicy.objects.create(brand=w.brand, review_required=True)
    card = register(w)
    product = card.product
    assert card.status == WarrantyCardStatus.PENDING
    assert (product.purchase_date, product.warranty_end) == (None, None)

    card = cards.review_card(actor=principal_of(w.hotline), card=card, approve=True)

    product.refresh_from_db()
    assert (card.status, card.reviewed_by) == (WarrantyCardStatus.APPROVED, w.hotline)
    assert product.purchase_date == card.purchase_date and product.warranty_end is not None


def test_a_rejection_needs_a_reason_and_leaves_no_warranty(w):
    WarrantyCardPolicy.objects.create(brand=w.brand, review_required=True)
    card = register(w)
    with pytest.raises(DomainError) as refused:
        cards.review_card(actor=principal_of(w.dispatcher), card=card, approve=False, reason=" ")
    assert refused.value.field == "reason"

    card = cards.review_card(actor=principal_of(w.dispatcher), card=card, approve=False, reason="发票模糊，请重新上传")

    assert (card.status, card.review_reason) == (WarrantyCardStatus.REJECTED, "发票模糊，请重新上传")
    assert InstalledProduct.objects.get(pk=card.product_id).purchase_date is None
    with pytest.raises(DomainError) as again:
        cards.review_card(actor=principal_of(w.dispatcher), card=card, approve=True)
    assert again.value.code == "already_reviewed"


@pytest.mark.parametrize("persona", ["manager_a", "tech_a", "analyst", "rival_dispatcher"])
def test_only_the_brands_customer_staff_review(w, persona):
    WarrantyCardPolicy.objects.create(brand=w.brand, review_required=True)
    card = register(w)
    user = getattr(w, persona)
    before = rows()
    with pytest.raises(DomainError):
        cards.review_card(actor=principal_of(getattr(user, "user", user)), card=card, approve=True)
    assert rows() == before


@pytest.mark.parametrize(("over", "field"), [
    ({"purchase_date": timezone.localdate() + dt.timedelta(days=1)}, "purchase_date"),
    ({"purchase_date": None}, "purchase_date"),
    ({"purchased_from": "  "}, "purchased_from"),
    ({"purchased_from": "x" * 121}, "purchased_from"),
    ({"invoice": None}, "invoice"),
    ({"invoice": SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")}, "invoice"),
    ({"serial": "ZZ-UNKNOWN"}, "product_model"),  # no model's pattern: the customer must choose
    ({"serial": ""}, "serial"),
])
def test_refused_registrations_write_nothing(w, over, field):
    before = rows()
    with pytest.raises(DomainError) as refused:
        register(w, **over)
    assert refused.value.field == field
    assert rows() == before


def test_a_chosen_model_must_fit_the_serial(w):
    before = rows()
    with pytest.raises(DomainError) as refused:
        register(w, product_model=w.other_model)
    assert refused.value.field == "product_model"
    assert rows() == before
    card = register(w, serial="ZZ-123", product_model=ProductModelFactory(category=w.category, code="NP-1"))
    assert card.product.serial == "ZZ-123"


def test_a_known_serial_is_refused(w):
    register(w)
    before = rows()
    with pytest.raises(DomainError) as refused:
        register(w)
    assert refused.value.code == "serial_registered"
    assert rows() == before
