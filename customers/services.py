"""Customer, site and installed-product maintenance; each function is one transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.choices import CUSTOMER_EDITORS
from accounts.principal import Principal
from core.errors import DomainError, InvalidInput, PermissionDenied
from customers.models import Customer, InstalledProduct, Site


class DuplicateSerial(DomainError):
    code = "duplicate_serial"
    status = 409
    default_message = _("A product with this serial number is already registered.")


def _require_editor(actor: Principal) -> None:
    if actor.role not in CUSTOMER_EDITORS:
        raise PermissionDenied(_("Your role may not change customer records."))


def _validated_save(obj, update_fields=None) -> None:
    """Run model validation and turn its first error into a domain error with the field named."""
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(messages[0], field=None if field == "__all__" else field) from exc
    obj.save(update_fields=update_fields)


def _apply(obj, changes: dict[str, Any]):
    for name, value in changes.items():
        setattr(obj, name, value)
    return obj


def create_customer(*, actor: Principal, **fields: Any) -> Customer:
    _require_editor(actor)
    from core.phones import normalize_phone

    customer = Customer(brand_id=actor.brand_id, **fields)
    try:
        customer.phone = normalize_phone(customer.phone)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="phone") from exc
    with transaction.atomic():
        _validated_save(customer)
    return customer


def update_customer(*, actor: Principal, customer: Customer, changes: dict[str, Any]) -> Customer:
    _require_editor(actor)
    if "phone" in changes:
        from core.phones import normalize_phone

        try:
            changes["phone"] = normalize_phone(changes["phone"])
        except ValidationError as exc:
            raise InvalidInput(exc.messages[0], field="phone") from exc
    with transaction.atomic():
        _validated_save(_apply(customer, changes))
    return customer


def create_site(*, actor: Principal, customer: Customer, **fields: Any) -> Site:
    _require_editor(actor)
    site = Site(customer=customer, **fields)
    if site.region_id and site.region.brand_id != customer.brand_id:
        raise InvalidInput(_("Unknown region."), field="region")
    with transaction.atomic():
        _validated_save(site)
    return site


def register_product(*, actor: Principal, customer: Customer, **fields: Any) -> InstalledProduct:
    _require_editor(actor)
    product = InstalledProduct(brand_id=customer.brand_id, customer=customer, **fields)
    if product.product_model.category.brand_id != customer.brand_id:
        raise InvalidInput(_("Unknown product model."), field="product_model")
    try:
        with transaction.atomic():
            _validated_save(product)
    except IntegrityError as exc:
        raise DuplicateSerial(field="serial") from exc
    return product


def update_product(*, actor: Principal, product: InstalledProduct, changes: dict[str, Any]) -> InstalledProduct:
    _require_editor(actor)
    try:
        with transaction.atomic():
            _validated_save(_apply(product, changes))
    except IntegrityError as exc:
        raise DuplicateSerial(field="serial") from exc
    return product
