"""Customer, site and installed-product maintenance; each function is one transaction."""

from __future__ import annotations

from decimal import Decimal
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
        # full_clean skips empty values of blank=True fields, so a null for a NOT NULL column
        # (tags, email) would otherwise reach the database as an IntegrityError.
        field = obj._meta.get_field(name)
        if value is None and not field.null:
            raise InvalidInput(field.error_messages["null"], field=name)
    for name, value in changes.items():
        setattr(obj, name, value)
    return obj


def _tidy(fields: dict[str, Any], *names: str) -> dict[str, Any]:
    """Trim surrounding whitespace, so a name of spaces is blank (and refused), not a name."""
    for name in names:
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    tags = fields.get("tags")
    if isinstance(tags, list) and all(isinstance(t, str) for t in tags):
        # The same tag twice, or with stray spaces, is the same tag; the order is kept.
        fields["tags"] = list(dict.fromkeys(t.strip() for t in tags))
    return fields


def _coordinate(value: Any) -> Any:
    """Six decimal places (about 0.1 m), as the column holds them.

    A float such as 30.26 would otherwise become Decimal("30.2600000") under the field's 9-digit
    context and fail the decimal-places check, refusing most of China's latitudes.
    """
    return Decimal(repr(round(value, 6))) if isinstance(value, float) else value


def _normalised_phone(value: str, field: str) -> str:
    from core.phones import normalize_phone

    try:
        return normalize_phone(value)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field=field) from exc


def create_customer(*, actor: Principal, **fields: Any) -> Customer:
    _require_editor(actor)
    customer = Customer(brand_id=actor.brand_id, **_tidy(fields, "name", "email"))
    customer.phone = _normalised_phone(customer.phone, "phone")
    with transaction.atomic():
        _validated_save(customer)
    return customer


def update_customer(*, actor: Principal, customer: Customer, changes: dict[str, Any]) -> Customer:
    _require_editor(actor)
    changes = _tidy(dict(changes), "name", "email")
    if "phone" in changes:
        changes["phone"] = _normalised_phone(changes["phone"], "phone")
    with transaction.atomic():
        _validated_save(_apply(customer, changes))
    return customer


def create_site(*, actor: Principal, customer: Customer, **fields: Any) -> Site:
    _require_editor(actor)
    fields = _tidy(fields, "name", "address", "contact_name")
    for name in ("latitude", "longitude"):
        if name in fields:
            fields[name] = _coordinate(fields[name])
    site = Site(customer=customer, **fields)
    if site.contact_phone:
        site.contact_phone = _normalised_phone(site.contact_phone, "contact_phone")
    if site.region_id and site.region.brand_id != customer.brand_id:
        raise InvalidInput(_("Unknown region."), field="region")
    with transaction.atomic():
        _validated_save(site)
    return site


def register_product(*, actor: Principal, customer: Customer, **fields: Any) -> InstalledProduct:
    _require_editor(actor)
    product = InstalledProduct(brand_id=customer.brand_id, customer=customer, **_tidy(fields, "serial"))
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
