"""Selling extended warranty (延保, issue 16): which terms a unit may buy and at what price, and the sale.

- ``offers_for(*, product, on=None)``: the terms that fit the unit on ``on`` (default today): its model or
  category, its age, its base warranty's end, no overlap with a warranty it already has; each with the
  price for the customer's segment and the site's region on the price list valid that day.
- ``sell_extended_warranty(*, product, term, actor_or_channel, sold_via, price=None, lead=None,
  reference="", on=None)``: one transaction; refuses a term that does not fit (TermDoesNotFit, 422) or a
  second overlapping active warranty (ExtendedWarrantyOverlap, 409); idempotent by reference and by lead.

Once sold, the engine honours it through the coverage extension point (``pricing.coverage.ExtendedWarranty``,
loaded by ``pricing.selectors.coverages``): no caller of the verdict or the estimate changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import SYSTEM, Role
from accounts.principal import Principal
from catalog.choices import ServiceType
from core.errors import InvalidInput, NotFound, PermissionDenied
from customers.models import InstalledProduct
from pricing import selectors
from pricing.choices import SoldVia
from pricing.coverage import CoverageContext, NotFit, extension_window, unit_verdict
from pricing.errors import ExtendedWarrantyOverlap, NoPriceList, PriceNotListed, ReferenceReused, TermDoesNotFit
from pricing.extended_models import (
    REFERENCE_MAX,
    ExtendedWarranty,
    WarrantyExtensionTerm,
    WarrantyTermPrice,
    covers_text,
)

# Who may sell: the brand's desk (hotline, and whoever works the leads), an outlet working its own leads,
# the customer for their own unit (the portal shop), and the brand's own automation (an import).
SELLERS = frozenset({Role.BRAND_ADMIN, Role.DISPATCHER, Role.HOTLINE_AGENT, Role.FINANCE, Role.OUTLET_MANAGER,
                     Role.OUTLET_DISPATCHER, Role.CUSTOMER, SYSTEM})

NOT_FIT = {
    "inactive": _("This extended warranty is no longer on sale."),
    "other_product": _("This extended warranty is not for this unit's model."),
    "no_start_date": _("The unit has no purchase or install date on record."),
    "unit_too_old": _("The unit is too old for this extended warranty."),
    "warranty_ended": _("The unit's warranty ended too long ago for this extended warranty."),
}


@dataclass(frozen=True)
class Offer:
    term: WarrantyExtensionTerm
    price: Decimal
    currency: str
    starts_on: dt.date
    ends_on: dt.date  # inclusive
    price_list_id: int


def covers_label(item: WarrantyExtensionTerm | ExtendedWarranty) -> Any:
    """What a term (or a bought warranty) pays for, in words."""
    return covers_text(item)


def price_of(rows: list[WarrantyTermPrice], *, segment: str, region_id: int | None) -> WarrantyTermPrice | None:
    """The most specific row that fits: a region's beats a segment's, which beats everyone's."""
    fitting = [r for r in rows if r.segment in ("", segment) and r.region_id in (None, region_id)]
    return max(fitting, key=lambda r: (r.region_id is not None, r.segment != "", r.pk), default=None)


class _Unit:
    """What deciding a sale reads about one unit, once."""

    def __init__(self, product: InstalledProduct, on: dt.date) -> None:
        self.product = product
        self.on = on
        model = product.product_model
        base = selectors.base_warranty(brand_id=product.brand_id, category_id=model.category_id)
        verdict = unit_verdict((base,), CoverageContext(product=selectors.product_facts(product),
                                                        service_type=ServiceType.REPAIR, symptom=None, on=on))
        self.base_until, self.base_code = verdict.until, verdict.code
        self.unit_start = product.install_date or product.purchase_date
        self.segment = product.customer.segment
        self.region_id = product.site.region_id if product.site_id else None

    def fits(self, term: WarrantyExtensionTerm) -> tuple[dt.date, dt.date]:
        if not term.is_active:
            raise TermDoesNotFit(NOT_FIT["inactive"], reason="inactive", term_id=term.pk)
        model = self.product.product_model
        if term.brand_id != self.product.brand_id or not (
                term.product_model_id == model.pk or term.category_id == model.category_id):
            raise TermDoesNotFit(NOT_FIT["other_product"], reason="other_product", term_id=term.pk)
        try:
            return extension_window(months=term.months, max_unit_age_months=term.max_unit_age_months,
                                    months_after_expiry=term.months_after_expiry, unit_start=self.unit_start,
                                    base_until=self.base_until, base_code=self.base_code, on=self.on)
        except NotFit as refused:
            reason = str(refused)
            raise TermDoesNotFit(NOT_FIT[reason], reason=reason, term_id=term.pk) from None


def _overlapping(product_id: int, starts_on: dt.date, ends_on: dt.date):
    return ExtendedWarranty.objects.active().filter(product_id=product_id, starts_on__lte=ends_on,
                                                    ends_on__gte=starts_on)


def offers_for(*, product: InstalledProduct, on: dt.date | None = None) -> list[Offer]:
    """The terms ``product`` may buy on ``on`` (default today), cheapest first, each priced for its customer's
    segment and its site's region. ``product`` was fetched through ``visible_to`` (or is the customer's own)."""
    on = on or timezone.localdate()
    model = product.product_model
    terms = list(WarrantyExtensionTerm.objects.filter(brand_id=product.brand_id, is_active=True)
                 .filter(Q(product_model_id=model.pk) | Q(category_id=model.category_id)).order_by("months", "pk"))
    if not terms:
        return []
    try:
        price_list = selectors.price_list_on(brand_id=product.brand_id, day=on)
    except NoPriceList:
        return []
    unit = _Unit(product, on)
    taken = list(ExtendedWarranty.objects.active().filter(product_id=product.pk).values_list("starts_on", "ends_on"))
    rows: dict[int, list[WarrantyTermPrice]] = {}
    for row in WarrantyTermPrice.objects.filter(price_list=price_list, term__in=terms).order_by():
        rows.setdefault(row.term_id, []).append(row)
    offers = []
    for term in terms:
        try:
            starts_on, ends_on = unit.fits(term)
        except TermDoesNotFit:
            continue
        price = price_of(rows.get(term.pk, []), segment=unit.segment, region_id=unit.region_id)
        if price is None or any(s <= ends_on and e >= starts_on for s, e in taken):
            continue
        offers.append(Offer(term=term, price=price.amount, currency=price_list.currency, starts_on=starts_on,
                            ends_on=ends_on, price_list_id=price_list.pk))
    return sorted(offers, key=lambda o: (o.price, o.term.months, o.term.pk))


def _check_seller(actor: Principal, product: InstalledProduct) -> None:
    if actor.role == SYSTEM:
        if actor.brand_id != product.brand_id:
            raise NotFound()
        return
    if not InstalledProduct.objects.scoped_for(actor).filter(pk=product.pk).exists():
        raise NotFound()
    if actor.role not in SELLERS:
        raise PermissionDenied(_("Your role may not sell extended warranty."))


def _price(raw: Any) -> Decimal:
    try:
        price = Decimal(str(raw))
    except ArithmeticError:
        price = Decimal("NaN")
    if not price.is_finite() or price < 0 or price != price.quantize(Decimal("0.01")) or price >= 10**9:
        raise InvalidInput(_("Give the price in yuan as a plain number, e.g. 128.00."), field="price")
    return price.quantize(Decimal("0.01"))


def _already_sold(*, brand_id: int, reference: str, lead_id: int | None) -> ExtendedWarranty | None:
    if not reference and lead_id is None:
        return None
    match = Q(brand_id=brand_id, reference=reference) if reference else Q()
    if lead_id is not None:
        match = match | Q(lead_id=lead_id) if reference else Q(lead_id=lead_id)
    return ExtendedWarranty.objects.filter(match).order_by("pk").first()


def _same_sale(sold: ExtendedWarranty, *, product: InstalledProduct, term: WarrantyExtensionTerm) -> ExtendedWarranty:
    if sold.product_id != product.pk or sold.term_id != term.pk:
        raise ReferenceReused(extended_warranty_id=sold.pk)
    return sold


def sell_extended_warranty(*, product: InstalledProduct, term: WarrantyExtensionTerm, actor_or_channel: Principal,
                           sold_via: str, price: Decimal | str | None = None, lead: Any = None, reference: str = "",
                           on: dt.date | None = None) -> ExtendedWarranty:
    """Sell ``term`` for ``product`` on ``on`` (default today), in one transaction, or refuse having changed
    nothing.

    ``actor_or_channel`` is who sells: a person's principal (a hotline agent, the customer in the shop, whoever
    marks a lead won) or ``accounts.principal.system_principal(brand_id)`` for a channel with no person (an
    import). ``price`` defaults to the offer's price for the customer's segment and region; ``lead`` is a lead
    or its id, ``reference`` the shop order's or the import's: selling again with the same lead or reference
    returns the first sale (a different unit or term with it is ReferenceReused, 409).
    """
    actor = actor_or_channel
    if sold_via not in SoldVia.values:
        raise InvalidInput(_("Unknown sales channel."), field="sold_via", sold_via=sold_via)
    reference = (reference or "").strip()
    if len(reference) > REFERENCE_MAX:
        raise InvalidInput(_("The reference is too long."), field="reference", max_length=REFERENCE_MAX)
    lead_id = getattr(lead, "pk", lead)
    paid = _price(price) if price is not None else None
    _check_seller(actor, product)
    if term.brand_id != product.brand_id:
        raise NotFound()
    on = on or timezone.localdate()
    try:
        with transaction.atomic():
            # Serialise sales per unit: PostgreSQL locks its row, SQLite's IMMEDIATE transaction the database.
            # A retry finds the first sale only then, so it is never mistaken for an overlapping second one.
            InstalledProduct.objects.select_for_update().filter(pk=product.pk).values_list("pk").first()
            sold = _already_sold(brand_id=product.brand_id, reference=reference, lead_id=lead_id)
            if sold is not None:
                return _same_sale(sold, product=product, term=term)
            term = WarrantyExtensionTerm.objects.get(pk=term.pk)
            starts_on, ends_on = _Unit(product, on).fits(term)
            if paid is None:
                paid = _list_price(product, term, on)
            clash = _overlapping(product.pk, starts_on, ends_on).values_list("pk", flat=True).first()
            if clash is not None:
                raise ExtendedWarrantyOverlap(extended_warranty_id=clash)
            return ExtendedWarranty.objects.create(
                brand_id=product.brand_id, product=product, term=term, starts_on=starts_on, ends_on=ends_on,
                covers_labour=term.covers_labour, covers_parts=term.covers_parts,
                part_families=list(term.part_families or []), price=paid, sold_via=sold_via,
                sold_by=actor.user if actor.user is not None else None, lead_id=lead_id, reference=reference,
                created_at=timezone.now(),
            )
    except IntegrityError:
        # Two sales with one reference or lead at once: the other one won; return it as a retry would.
        sold = _already_sold(brand_id=product.brand_id, reference=reference, lead_id=lead_id)
        if sold is None:
            raise
        return _same_sale(sold, product=product, term=term)


def _list_price(product: InstalledProduct, term: WarrantyExtensionTerm, on: dt.date) -> Decimal:
    price_list = selectors.price_list_on(brand_id=product.brand_id, day=on)
    rows = list(WarrantyTermPrice.objects.filter(price_list=price_list, term=term).order_by())
    row = price_of(rows, segment=product.customer.segment,
                   region_id=product.site.region_id if product.site_id else None)
    if row is None:
        raise PriceNotListed(term_id=term.pk)
    return row.amount


def warranties_of(product: InstalledProduct) -> list[ExtendedWarranty]:
    """The unit's extended warranties, active and cancelled, earliest first (the caller sees the unit)."""
    return list(ExtendedWarranty.objects.filter(product_id=product.pk).select_related("term")
                .order_by("starts_on", "pk"))


def extended_until(product: InstalledProduct, on: dt.date | None = None) -> dt.date | None:
    """The last day the unit's active extended warranties cover, if any still runs on or after ``on``."""
    on = on or timezone.localdate()
    ends = ExtendedWarranty.objects.active().filter(product_id=product.pk, ends_on__gte=on)
    return ends.order_by("-ends_on").values_list("ends_on", flat=True).first()
