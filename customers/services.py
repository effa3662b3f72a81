"""Customer, site and installed-product maintenance; each function is one transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import CUSTOMER_EDITORS
from accounts.principal import Principal
from core import geo
from core.errors import DomainError, InvalidInput, PermissionDenied
from core.phones import normalize_phone
from customers.choices import ProductStatus
from customers.models import Customer, InstalledProduct, Site


class DuplicateSerial(DomainError):
    code = "duplicate_serial"
    status = 409
    default_message = _("A product with this serial number is already registered.")


class DuplicatePhone(DomainError):
    """The brand has a customer with this phone: the agent opens that one, or says why a second is needed."""

    code = "duplicate_phone"
    status = 409
    default_message = _("A customer with this phone number already exists. Open that customer, or give the "
                        "reason for a second record.")


REASON_MAX = 200


def _twin(customer: Customer) -> Customer | None:
    """Another customer of the brand with this customer's phone, the oldest first."""
    return (Customer.objects.filter(brand_id=customer.brand_id, phone=customer.phone)
            .exclude(pk=customer.pk).order_by("pk").first())


def _duplicate(customer: Customer) -> DuplicatePhone:
    twin = _twin(customer)
    return DuplicatePhone(field="phone", customer_id=twin.pk if twin else None, customer_name=twin.name if twin else "")


def _reason(raw: Any) -> str:
    reason = (raw or "").strip() if isinstance(raw, str) else raw
    if not isinstance(reason, str) or len(reason) > REASON_MAX:
        raise InvalidInput(_("Say in at most 200 characters why this caller needs a second record."),
                           field="duplicate_reason")
    return reason


def _save_one_per_phone(customer: Customer, update_fields=None) -> None:
    """Save, keeping one customer per phone per brand unless the record carries its reason.

    The check before is for the message; the partial unique constraint decides a race (two agents
    creating the same new caller at once): the second save is refused the same way.
    """
    if customer.duplicate_reason and _twin(customer) is None:
        customer.duplicate_reason = ""  # nothing to explain: the record is the phone's only one
    if not customer.duplicate_reason and _twin(customer) is not None:
        raise _duplicate(customer)
    try:
        with transaction.atomic():
            _validated_save(customer, update_fields=update_fields)
    except IntegrityError as exc:
        raise _duplicate(customer) from exc


def require_editor(actor: Principal) -> None:
    """Refuse (403) a role that may not change customer records; routes call it before reading the references of
    a body, so the refusal does not depend on which of them the role can see."""
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
    try:
        return normalize_phone(value)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field=field) from exc


def create_customer(*, actor: Principal, duplicate_reason: str = "", **fields: Any) -> Customer:
    """A new customer. A phone the brand already has is refused (DuplicatePhone, naming that customer)
    unless ``duplicate_reason`` says why this caller needs a second record; the reason is kept on it."""
    require_editor(actor)
    customer = Customer(brand_id=actor.brand_id, **_tidy(fields, "name", "email"))
    customer.phone = _normalised_phone(customer.phone, "phone")
    customer.duplicate_reason = _reason(duplicate_reason)
    _save_one_per_phone(customer)
    return customer


def update_customer(*, actor: Principal, customer: Customer, changes: dict[str, Any]) -> Customer:
    """Edit a customer; a new phone another customer of the brand has is refused as on creation."""
    require_editor(actor)
    changes = _tidy(dict(changes), "name", "email")
    if "phone" in changes:
        changes["phone"] = _normalised_phone(changes["phone"], "phone")
    if "duplicate_reason" in changes:
        changes["duplicate_reason"] = _reason(changes["duplicate_reason"])
    before = {name: getattr(customer, name) for name in changes}
    try:
        _save_one_per_phone(_apply(customer, changes))
    except DomainError:
        for name, value in before.items():  # the caller's object as it was: nothing was saved
            setattr(customer, name, value)
        raise
    return customer


def _locate(site: Site) -> None:
    """Place the site from its address (core.geo: the configured provider, else the offline gazetteer).

    The site's service region narrows the search (西湖区 is Hangzhou's or Nanchang's). An address that
    cannot be placed leaves the site without a point, which prices the call-out as "to be confirmed".
    """
    found = geo.locate(site.address, city=site.region.name if site.region_id else "")
    if found is None:
        site.latitude = site.longitude = None
        site.geo_precision = site.geo_source = site.geo_adcode = ""
        return
    site.latitude, site.longitude = found.latitude, found.longitude
    site.geo_precision, site.geo_source, site.geo_adcode = found.precision, found.source, found.adcode


def _point_given(fields: dict[str, Any]) -> bool:
    given = [fields.get(name) is not None for name in ("latitude", "longitude")]
    if any(given) and not all(given):
        raise InvalidInput(_("Give both latitude and longitude, or neither."),
                           field="longitude" if given[0] else "latitude")
    return all(given)


def place_site(site: Site, *, moved: bool, point_given: bool, source: str = "manual") -> None:
    """Where a created or edited site is, before it is saved (the services here and the admin call it).

    A point given with the site (an API client's, the admin's) is kept as given, precision "pin". Else a
    new or changed address (or region) is placed again, dropping a pin made for the old one; a site
    still without a point is tried again on any edit.
    """
    if point_given:
        site.geo_precision, site.geo_source, site.geo_adcode = geo.Precision.PIN, source, ""
    elif moved or not site.located:
        _locate(site)


def create_site(*, actor: Principal, customer: Customer, **fields: Any) -> Site:
    """A new site, placed from its address unless a point is given (core.geo)."""
    require_editor(actor)
    fields = _tidy(fields, "name", "address", "contact_name")
    for name in ("latitude", "longitude"):
        if name in fields:
            fields[name] = _coordinate(fields[name])
    site = Site(customer=customer, **fields)
    if site.contact_phone:
        site.contact_phone = _normalised_phone(site.contact_phone, "contact_phone")
    if site.region_id and site.region.brand_id != customer.brand_id:
        raise InvalidInput(_("Unknown region."), field="region")
    place_site(site, moved=True, point_given=_point_given(fields))
    with transaction.atomic():
        _validated_save(site)
    return site


def update_site(*, actor: Principal, site: Site, changes: dict[str, Any]) -> Site:
    """Edit a site. A new address (or region) is placed again, and a pin made for the old address goes."""
    require_editor(actor)
    changes = _tidy(dict(changes), "name", "address", "contact_name")
    for name in ("latitude", "longitude"):
        if name in changes:
            changes[name] = _coordinate(changes[name])
    if changes.get("contact_phone"):
        changes["contact_phone"] = _normalised_phone(changes["contact_phone"], "contact_phone")
    moved = any(name in changes and changes[name] != getattr(site, name) for name in ("address", "region"))
    _apply(site, changes)
    if site.region_id and site.region.brand_id != site.customer.brand_id:
        raise InvalidInput(_("Unknown region."), field="region")
    place_site(site, moved=moved, point_given=_point_given(changes))
    with transaction.atomic():
        _validated_save(site)
    return site


def pin_site(*, actor: Principal, site: Site, latitude: Any, longitude: Any) -> Site:
    """Correct the site's point by hand (a pin on the map): precision "pin", kept until the address changes.

    Staff who edit customers may pin any site they see; a customer only their own.
    """
    if not (actor.is_customer and site.customer_id == actor.customer_id):
        require_editor(actor)
    try:
        lat, lon = geo.point(latitude), geo.point(longitude)
    except (ArithmeticError, TypeError, ValueError):
        raise InvalidInput(_("Choose a point on the map."), field="latitude") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput(_("Choose a point on the map."), field="latitude")
    with transaction.atomic():
        updated = Site.objects.filter(pk=site.pk).update(
            latitude=lat, longitude=lon, geo_precision=geo.Precision.PIN, geo_source="pin", updated_at=timezone.now())
        if not updated:
            raise InvalidInput(_("Unknown site."), field="site")
    site.refresh_from_db()
    return site


def locate_unplaced_sites(*, limit: int | None = None, batch: int = 500) -> tuple[int, int]:
    """Backfill: place every site that has no point yet from its address. Returns (placed, still unplaced).

    Idempotent: a site with a point (typed, pinned, imported, demo) is never touched; one that cannot be
    placed stays without a point and is tried again on the next run.
    """
    placed = unplaced = 0
    last = 0
    while limit is None or placed + unplaced < limit:
        rows = list(Site.objects.filter(pk__gt=last, latitude__isnull=True).select_related("region")
                    .order_by("pk")[:batch])
        if not rows:
            break
        for site in rows:
            last = site.pk
            _locate(site)
            if not site.located:
                unplaced += 1
                continue
            # Only a site still without a point: an edit meanwhile wins.
            placed += Site.objects.filter(pk=site.pk, latitude__isnull=True).update(
                latitude=site.latitude, longitude=site.longitude, geo_precision=site.geo_precision,
                geo_source=site.geo_source, geo_adcode=site.geo_adcode)
            if limit is not None and placed + unplaced >= limit:
                break
    return placed, unplaced


def register_product(*, actor: Principal, customer: Customer, **fields: Any) -> InstalledProduct:
    require_editor(actor)
    product = InstalledProduct(brand_id=customer.brand_id, customer=customer, **_tidy(fields, "serial"))
    if product.product_model.category.brand_id != customer.brand_id:
        raise InvalidInput(_("Unknown product model."), field="product_model")
    try:
        with transaction.atomic():
            _validated_save(product)
    except IntegrityError as exc:
        raise DuplicateSerial(field="serial") from exc
    return product


EXCHANGED_STAYS = _("An exchanged unit's passport is the record of the exchange: it is not changed.")
EXCHANGE_AT_THE_BENCH = _("A unit is marked exchanged only by the repair centre's exchange.")


def update_product(*, actor: Principal, product: InstalledProduct, changes: dict[str, Any]) -> InstalledProduct:
    require_editor(actor)
    # The old unit's row of an exchange (logistics.bench) is history: reviving it would let it take orders again.
    if product.status == ProductStatus.EXCHANGED and changes:
        raise InvalidInput(EXCHANGED_STAYS, field="status")
    if changes.get("status") == ProductStatus.EXCHANGED:
        raise InvalidInput(EXCHANGE_AT_THE_BENCH, field="status")
    try:
        with transaction.atomic():
            _validated_save(_apply(product, changes))
    except IntegrityError as exc:
        raise DuplicateSerial(field="serial") from exc
    return product
