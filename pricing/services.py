"""Pricing actions: an estimate for an installed product, and publishing a price list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import Organisation
from accounts.principal import Principal
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.geo.distance import distance_km
from customers.models import InstalledProduct
from pricing import selectors
from pricing.engine import Quote, quote
from pricing.errors import PriceListOverlap
from pricing.facts import PartUse, SymptomFacts
from pricing.models import PriceList

PRICE_PUBLISHERS = frozenset({Role.BRAND_ADMIN, Role.FINANCE})


def _part_uses(parts: Iterable[str | tuple[str, int] | PartUse]) -> list[PartUse]:
    uses = []
    for item in parts:
        if isinstance(item, PartUse):
            uses.append(item)
        elif isinstance(item, str):
            uses.append(PartUse(code=item))
        else:
            code, quantity = item
            uses.append(PartUse(code=code, quantity=quantity))
    return uses


def _distance_km(product: InstalledProduct, outlet: Organisation | None) -> tuple[Decimal | None, bool]:
    """(km from the outlet to the site, whether the site's point is only near it); (None, False) when unknown."""
    site = product.site
    if outlet is None or site is None or None in (outlet.latitude, outlet.longitude, site.latitude, site.longitude):
        return None, False
    km = distance_km((outlet.latitude, outlet.longitude), (site.latitude, site.longitude))
    return km, site.location_approximate


def estimate(
    *,
    product: InstalledProduct,
    service_type: str,
    symptom_code: str = "",
    parts: Iterable[str | tuple[str, int] | PartUse] = (),
    at: dt.datetime | dt.date | None = None,
    outlet: Organisation | None = None,
    exclusion: str = "",
) -> Quote:
    """What this visit costs the customer, line by line, and what the warranty covers.

    ``at`` is the order's time (default now): it chooses the price list and the warranty day, in the
    brand's time zone. ``outlet`` is the serving outlet; without one, the nearest outlet serving the
    site's region is assumed for the call-out distance. ``parts`` are codes, or (code, quantity).
    ``exclusion`` (an ExclusionReason): what a bench found that the warranty excludes, judged as a symptom that
    excludes it would be. The caller has fetched ``product`` through ``visible_to``; nothing here changes any
    data.
    """
    at = at or timezone.now()
    day = timezone.localdate(at) if isinstance(at, dt.datetime) else at
    model = product.product_model
    uses = _part_uses(parts)
    symptom = None
    if symptom_code:
        symptom = selectors.symptom_facts(category_id=model.category_id, code=symptom_code)
        if symptom is None:
            raise InvalidInput(_("Choose a symptom from the list for this product's category."),
                               field="symptom_code")
    if exclusion:
        symptom = SymptomFacts(code=symptom.code if symptom else "", exclusion=exclusion)
    snapshot = selectors.load_snapshot(brand_id=product.brand_id, day=day, category_id=model.category_id,
                                       part_codes=[u.code for u in uses], product_id=product.pk)
    outlet = outlet if outlet is not None else selectors.serving_outlet(product)
    site = product.site
    distance_km, approximate = _distance_km(product, outlet)
    return quote(
        snapshot, product=selectors.product_facts(product), service_type=service_type, on=day, symptom=symptom,
        parts=uses, distance_km=distance_km, distance_approximate=approximate, segment=product.customer.segment,
        region_id=site.region_id if site else None,
    )


def publish_price_list(*, actor: Principal, price_list: PriceList, supersede: bool = False) -> PriceList:
    """Publish a list; refused with PriceListOverlap if a published list of the brand shares a day.

    With ``supersede``, an open-ended published list that starts before this one is ended the day
    before it instead (the usual way a new version takes over); any other overlap is still refused.
    """
    if actor.role not in PRICE_PUBLISHERS:
        raise PermissionDenied(_("Your role may not publish price lists."))
    if price_list.brand_id != actor.brand_id:
        raise NotFound()
    with transaction.atomic():
        # Serialise publishing per brand: PostgreSQL locks the brand row; SQLite's IMMEDIATE
        # transactions already take the write lock at BEGIN.
        Organisation.objects.select_for_update().filter(pk=price_list.brand_id).first()
        price_list = PriceList.objects.get(pk=price_list.pk)
        overlapping = list(price_list.overlapping_published())
        if supersede:
            superseded = [o for o in overlapping if o.valid_to is None and o.valid_from < price_list.valid_from]
            for old in superseded:
                old.valid_to = price_list.valid_from - dt.timedelta(days=1)
                old.save(update_fields=["valid_to", "updated_at"])
            overlapping = [o for o in overlapping if o not in superseded]
        if overlapping:
            raise PriceListOverlap(lists=[o.pk for o in overlapping])
        price_list.is_published = True
        price_list.save(update_fields=["is_published", "updated_at"])
    return price_list
