"""Maintenance plans: which plans fit an installed product, which tier its customer's segment gets, and what a
plan costs on a day in a region. The one place these rules live: the shop, the console's contract form, the
API and the portal all ask here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.principal import Principal
from core.errors import InvalidInput, PermissionDenied
from customers.models import InstalledProduct
from maintenance.choices import TIER_OF_SEGMENT, Tier
from maintenance.models import MaintenancePlan, PlanPrice
from pricing.models import PriceList

TIER_ORDER = {Tier.BASIC: 0, Tier.STANDARD: 1, Tier.FULL: 2}


@dataclass(frozen=True)
class PlanFit:
    """A plan that fits a unit, as offered to its customer: ``for_segment`` marks the tier of the customer's
    segment (the one the brand means for them), ``price`` is the plan's on the day in the unit's region
    (None when the price list has no price for it)."""

    plan: MaintenancePlan
    for_segment: bool
    price: Decimal | None


def tier_for(segment: str) -> str:
    """The tier a customer segment gets: basic for cost-saving, standard for value, full for premium."""
    return TIER_OF_SEGMENT.get(segment, Tier.STANDARD)


def fitting(product: InstalledProduct):
    """The active plans of the product's brand for its model or its model's category, as a queryset."""
    model = product.product_model
    return MaintenancePlan.objects.filter(brand_id=product.brand_id, is_active=True).filter(
        Q(product_model_id=model.pk) | Q(category_id=model.category_id))


def region_of(product: InstalledProduct) -> int | None:
    return product.site.region_id if product.site_id else None


def plans_for(product: InstalledProduct, *, on: dt.date) -> list[PlanFit]:
    """The active plans that fit ``product`` (its model's, else its category's), each with its price on ``on``
    in the product's region and the tier of its customer's segment marked; cheapest tier first.

    A plan made for the model replaces the category's plans of the same tier: the brand wrote it for exactly
    this unit, so offering the category's too would offer two plans where it means one.
    """
    plans = list(fitting(product).select_related("category", "product_model").order_by("pk"))
    model_tiers = {p.tier for p in plans if p.product_model_id is not None}
    plans = [p for p in plans if p.product_model_id is not None or p.tier not in model_tiers]
    plans.sort(key=lambda p: (TIER_ORDER.get(p.tier, 9), p.product_model_id is None, p.pk))
    tier = tier_for(product.customer.segment)
    prices = plan_prices([p.pk for p in plans], on=on, region_id=region_of(product), brand_id=product.brand_id)
    return [PlanFit(plan=p, for_segment=p.tier == tier, price=prices.get(p.pk)) for p in plans]


def fits(plan: MaintenancePlan, product: InstalledProduct) -> bool:
    """Whether ``plan`` is one for ``product``: the same brand, and its model or its model's category."""
    if plan.brand_id != product.brand_id:
        return False
    model = product.product_model
    return plan.product_model_id == model.pk if plan.product_model_id else plan.category_id == model.category_id


def _lists_on(brand_id: int, on: dt.date):
    """The brand's published price list valid on the day (pricing's rule: the latest to start wins)."""
    return PriceList.objects.filter(brand_id=brand_id).published().valid_on(on).order_by("-valid_from", "-pk")


def plan_prices(plan_ids: list[int], *, on: dt.date, region_id: int | None, brand_id: int) -> dict[int, Decimal]:
    """plan id -> price on ``on`` in the region, for many plans in two queries (see plan_price)."""
    if not plan_ids:
        return {}
    price_list = _lists_on(brand_id, on).values_list("pk", flat=True).first()
    if price_list is None:
        return {}
    rows = PlanPrice.objects.filter(plan_id__in=plan_ids, price_list_id=price_list).filter(
        Q(region__isnull=True) | Q(region_id=region_id) if region_id is not None else Q(region__isnull=True))
    found: dict[int, Decimal] = {}
    # The region's own row over the list's default row for every region.
    for plan_id, region, amount in rows.order_by().values_list("plan_id", "region_id", "amount"):
        if region is not None or plan_id not in found:
            found[plan_id] = amount
    return found


def plan_price(plan: MaintenancePlan, *, on: dt.date, region_id: int | None) -> Decimal | None:
    """The plan's price on ``on``: from the brand's published price list valid that day, the region's row over
    the default one (empty region); None when that list does not price the plan (or no list is valid)."""
    return plan_prices([plan.pk], on=on, region_id=region_id, brand_id=plan.brand_id).get(plan.pk)


# --- the brand's edits ----------------------------------------------------------------------------------

PLAN_FIELDS = ("name", "tier", "category", "product_model", "tasks", "interval_months", "interval_litres",
               "interval_hours", "visits_per_year", "standard_minutes", "term_months", "hotline_emergency",
               "priority_response", "lead_days", "repeat_after_days", "max_reminders", "is_active")


def may_edit_plans(actor: Principal | None) -> bool:
    return actor is not None and actor.is_brand_staff and actor.role == Role.BRAND_ADMIN


def save_plan(*, actor: Principal, plan: MaintenancePlan | None, values: dict) -> MaintenancePlan:
    """Create (``plan`` None) or change a plan of the actor's brand: the brand admin's. ``values`` holds
    PLAN_FIELDS (category and model as objects the caller fetched through visible_to). The model's own
    validation (one scope, an interval, the bounds) is reported per field (InvalidInput names the first)."""
    if not may_edit_plans(actor):
        raise PermissionDenied(_("Only the brand's administrator edits maintenance plans."))
    target = plan or MaintenancePlan(brand_id=actor.brand_id)
    for name in PLAN_FIELDS:
        if name in values:
            setattr(target, name, values[name])
    for name in ("category", "product_model"):
        related = getattr(target, name)
        brand_id = related and (related.brand_id if name == "category" else related.category.brand_id)
        if related is not None and brand_id != actor.brand_id:
            raise InvalidInput(_("Choose one of your brand's."), field=name)
    if (target.category_id is None) == (target.product_model_id is None):
        raise InvalidInput(_("Give either a category or one model, not both."), field="category")
    if not (target.interval_months or target.interval_litres or target.interval_hours):
        raise InvalidInput(_("Give at least one interval: months, litres or running hours."), field="interval_months")
    try:
        target.full_clean(exclude=["brand"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidInput(messages[0], field=None if field == NON_FIELD_ERRORS else field) from None
    with transaction.atomic():
        target.save()
    return target
