"""The electronic warranty card: a customer registers a unit the brand has not seen (bought in a shop or
online), with the model, purchase date, where it was bought and a photo of the invoice; the brand may review
cards before the warranty counts. Each function is one transaction; a refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import CUSTOMER_EDITORS
from accounts.principal import Principal
from catalog.models import ProductModel
from core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from core.images import accept_photo
from customers.choices import ProductStatus, WarrantyCardStatus
from customers.installation import SERIAL_MAX, clean_serial
from customers.models import Customer, InstalledProduct, WarrantyCard, WarrantyCardPolicy

PLACE_MAX = 120
REASON_MAX = 200
EARLIEST = dt.date(2000, 1, 1)


class SerialRegistered(DomainError):
    code = "serial_registered"
    status = 409
    default_message = _("A unit with this serial number is already registered. Add it by its serial instead.")


class AlreadyReviewed(DomainError):
    code = "already_reviewed"
    status = 409
    default_message = _("This warranty card was already reviewed.")


def review_required(brand_id: int) -> bool:
    return WarrantyCardPolicy.objects.filter(brand_id=brand_id, review_required=True).exists()


def active_models(brand_id: int):
    return (ProductModel.objects.filter(category__brand_id=brand_id, is_active=True)
            .select_related("category").order_by("category__code", "code"))


def models_for_serial(brand_id: int, serial: str) -> list[ProductModel]:
    """The brand's models whose serial pattern the serial fits (models without a pattern name nothing)."""
    serial = clean_serial(serial)
    return [m for m in active_models(brand_id) if m.serial_pattern and m.serial_fits(serial)]


def _model(brand_id: int, serial: str, chosen: ProductModel | None) -> ProductModel:
    fitting = models_for_serial(brand_id, serial)
    if chosen is None:
        if len(fitting) == 1:
            return fitting[0]
        raise InvalidInput(_("Choose the model of your unit."), field="product_model")
    if chosen.category.brand_id != brand_id or not chosen.is_active:
        raise InvalidInput(_("Choose the model of your unit."), field="product_model")
    if not chosen.serial_fits(serial):
        raise InvalidInput(_("This serial number is not one of model %(model)s: check the model or the serial.")
                           % {"model": chosen.code}, field="product_model")
    return chosen


def _purchase_date(value: Any) -> dt.date:
    if not isinstance(value, dt.date):
        raise InvalidInput(_("Give the date you bought it."), field="purchase_date")
    if value > timezone.localdate():
        raise InvalidInput(_("The purchase date cannot be in the future."), field="purchase_date")
    if value < EARLIEST:
        raise InvalidInput(_("Give the date you bought it."), field="purchase_date")
    return value


def register_purchase(*, actor: Principal, customer: Customer, serial: str, purchase_date: Any,
                      purchased_from: str, invoice: Any, product_model: ProductModel | None = None) -> WarrantyCard:
    """Register a unit the customer bought: the unit (model from the serial's pattern, or the one chosen and
    checked against it), and its warranty card with the cleaned invoice photo (core.images).

    Without review the unit's purchase date is set at once and its warranty counts from it; with review
    (WarrantyCardPolicy) the unit has no purchase date, so no warranty, until staff approve the card.
    """
    if not (actor.is_customer and actor.customer_id == customer.pk) and actor.role not in CUSTOMER_EDITORS:
        raise PermissionDenied()
    if actor.brand_id != customer.brand_id:
        raise NotFound()
    serial = clean_serial(serial)
    if not serial or len(serial) > SERIAL_MAX:
        raise InvalidInput(_("Enter the serial number."), field="serial")
    model = _model(customer.brand_id, serial, product_model)
    bought = _purchase_date(purchase_date)
    place = (purchased_from or "").strip() if isinstance(purchased_from, str) else ""
    if not place or len(place) > PLACE_MAX or "\x00" in place:
        raise InvalidInput(_("Say where you bought it (shop or online store), in at most 120 characters."),
                           field="purchased_from")
    if invoice is None:
        raise InvalidInput(_("Add a photo of the invoice or receipt."), field="invoice")
    try:
        photo = accept_photo(invoice)
    except InvalidInput as exc:
        exc.field = "invoice"  # core.images names its own upload field; here the photo is the invoice
        raise
    review = review_required(customer.brand_id)
    sites = list(customer.sites.order_by("pk")[:2])
    now = timezone.now()
    try:
        with transaction.atomic():
            product = InstalledProduct.objects.create(
                brand_id=customer.brand_id, customer=customer, serial=serial, product_model=model,
                site=sites[0] if len(sites) == 1 else None, purchase_date=None if review else bought,
                status=ProductStatus.ACTIVE)
            card = WarrantyCard(brand_id=customer.brand_id, customer=customer, product=product,
                                purchase_date=bought, purchased_from=place,
                                status=WarrantyCardStatus.PENDING if review else WarrantyCardStatus.APPROVED,
                                reviewed_at=None if review else now)
            card.invoice.save("invoice.jpg", photo, save=False)
            card.save()
    except IntegrityError as exc:
        raise SerialRegistered(field="serial") from exc
    return card


def review_card(*, actor: Principal, card: WarrantyCard, approve: bool, reason: str = "") -> WarrantyCard:
    """Brand staff approve a pending card (the unit's warranty counts from its purchase date) or reject it
    with a reason the customer sees. Compare-and-set: two reviewers at once, one wins, the other is told."""
    if not actor.is_brand_staff or actor.role not in CUSTOMER_EDITORS or card.brand_id != actor.brand_id:
        raise PermissionDenied(_("Your role may not review warranty cards."))
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX or "\x00" in reason:
        raise InvalidInput(_("Give the reason in at most 200 characters."), field="reason")
    if not approve and not reason:
        raise InvalidInput(_("Say why the card is rejected: the customer reads it."), field="reason")
    status = WarrantyCardStatus.APPROVED if approve else WarrantyCardStatus.REJECTED
    now = timezone.now()
    with transaction.atomic():
        won = WarrantyCard.objects.filter(pk=card.pk, status=WarrantyCardStatus.PENDING).update(
            status=status, reviewed_by_id=actor.user.pk, reviewed_at=now, review_reason=reason, updated_at=now)
        if not won:
            raise AlreadyReviewed()
        if approve:
            product = InstalledProduct.objects.select_related("product_model").get(pk=card.product_id)
            product.purchase_date = card.purchase_date
            if product.install_date and product.install_date < card.purchase_date:
                product.purchase_date = product.install_date
            product.save(update_fields=["purchase_date", "updated_at"])
    card.refresh_from_db()
    return card
