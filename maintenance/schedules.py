"""Schedules: which consumable or plan each installed product is on, when it is next due, and resets.

- ``ensure_schedules``: one consumable schedule per product and applicable rule (the most specific rule per part:
  a model's rule over its category's), written set-based (bulk inserts that skip what exists), so a brand's
  whole installed base is covered in one pass.
- ``schedule_plan``: the maintenance schedule of a unit under a plan (the contracts part calls it).
- ``record_replacement``: a visit, a shop order, a device or staff says the part was replaced or the visit done:
  the schedule restarts that day, with the meters at that time.
- ``recompute``: the stored ``due_on`` / ``due_by`` again from what they depend on (maintenance/forecast.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Part
from core.dates import brand_tz
from core.errors import InvalidInput
from customers.choices import OUT_OF_SERVICE
from customers.models import InstalledProduct
from integrations.choices import Metric
from integrations.models import UsageReading
from maintenance.choices import ReminderStatus, ReplacedVia, ScheduleKind
from maintenance.forecast import Forecast, Meter, forecast
from maintenance.models import ConsumableRule, Contract, MaintenancePlan, PlanPart, Reminder, Schedule

BATCH = 5000
FORECAST_FIELDS = ["due_on", "due_by"]


# --- the rule of a due date ------------------------------------------------------------------------------

def start_of(schedule: Schedule) -> dt.date | None:
    """Where the interval runs from: the last replacement or visit, else the contract's start (a plan), else
    installation, else purchase."""
    if schedule.last_done_on is not None:
        return schedule.last_done_on
    if schedule.contract_id is not None:
        return schedule.contract.starts_on
    product = schedule.product
    return product.install_date or product.purchase_date


def forecast_of(schedule: Schedule) -> Forecast:
    """The one rule for a schedule's due date (the job, the API's *why*, the portal all ask this)."""
    target = schedule.rule if schedule.rule_id is not None else schedule.plan
    if schedule.rule_id is not None:
        months, litres, hours = target.months, target.litres, target.hours
    else:
        months, litres, hours = target.interval_months, target.interval_litres, target.interval_hours
    return forecast(
        start=start_of(schedule), months=months,
        litres=Meter(litres, schedule.litres_per_day, schedule.litres_at_last, schedule.litres_now,
                     schedule.read_on) if litres else None,
        hours=Meter(hours, schedule.hours_per_day, schedule.hours_at_last, schedule.hours_now,
                    schedule.read_on) if hours else None)


def recompute(schedules: Iterable[Schedule] | QuerySet) -> int:
    """Store each schedule's due date and what decided it again; returns how many changed."""
    if isinstance(schedules, QuerySet):
        schedules = schedules.select_related("rule", "plan", "contract", "product").iterator(chunk_size=BATCH)
    changed: list[Schedule] = []
    count = 0
    for schedule in schedules:
        result = forecast_of(schedule)
        if (schedule.due_on, schedule.due_by) != (result.due_on, result.due_by):
            schedule.due_on, schedule.due_by = result.due_on, result.due_by
            changed.append(schedule)
        if len(changed) >= BATCH:
            count += _store(changed)
            changed = []
    return count + _store(changed)


def _store(changed: list[Schedule]) -> int:
    if changed:
        Schedule.objects.bulk_update(changed, FORECAST_FIELDS, batch_size=BATCH)
    return len(changed)


# --- consumables -------------------------------------------------------------------------------------------

def _rules_by_scope(brand_id: int) -> tuple[dict[int, dict[int, ConsumableRule]], dict[int, dict[int, ConsumableRule]]]:
    by_model: dict[int, dict[int, ConsumableRule]] = {}
    by_category: dict[int, dict[int, ConsumableRule]] = {}
    for rule in ConsumableRule.objects.filter(brand_id=brand_id, is_active=True).order_by("pk"):
        scope = by_model.setdefault(rule.product_model_id, {}) if rule.product_model_id else \
            by_category.setdefault(rule.category_id, {})
        scope.setdefault(rule.part_id, rule)  # two rules of one scope for one part: the first one counts
    return by_model, by_category


def ensure_schedules(*, products: QuerySet | None = None, brand_id: int) -> int:
    """One consumable schedule per product (of ``brand_id``, all of them unless ``products``) and applicable
    rule; returns how many were created. Safe to run again or concurrently: the unique (product, rule) skips
    what exists. Schedules of a rule that no longer applies (inactive, or a model's rule now overrides the
    category's) are deactivated, and those that apply again reactivated."""
    by_model, by_category = _rules_by_scope(brand_id)
    base = InstalledProduct.objects.filter(brand_id=brand_id).exclude(status__in=OUT_OF_SERVICE)
    if products is not None:
        base = base.filter(pk__in=products.values("pk"))
    created = 0
    if by_model or by_category:
        rows = base.values_list("pk", "customer_id", "product_model_id", "product_model__category_id",
                                "install_date", "purchase_date").order_by().iterator(chunk_size=BATCH)
        pending: list[Schedule] = []
        for pk, customer_id, model_id, category_id, installed, purchased in rows:
            chosen = {**by_category.get(category_id, {}), **by_model.get(model_id, {})}
            start = installed or purchased
            for rule in chosen.values():
                result = forecast(start=start, months=rule.months)
                pending.append(Schedule(brand_id=brand_id, customer_id=customer_id, product_id=pk,
                                        kind=ScheduleKind.CONSUMABLE, rule=rule, due_on=result.due_on,
                                        due_by=result.due_by))
            if len(pending) >= BATCH:
                created += _insert(pending)
                pending = []
        created += _insert(pending)
    _settle_active(brand_id, base if products is not None else None)
    return created


def _insert(pending: list[Schedule]) -> int:
    if not pending:
        return 0
    before = Schedule.objects.filter(product_id__in={s.product_id for s in pending}).count()
    with transaction.atomic():
        Schedule.objects.bulk_create(pending, batch_size=BATCH, ignore_conflicts=True)
    return Schedule.objects.filter(product_id__in={s.product_id for s in pending}).count() - before


def applies() -> Q:
    """A consumable schedule's rule applies: active, and not a category's rule overridden by a model's rule
    for the same part (an SQL condition, so deactivation is one UPDATE over the brand)."""
    overriding = ConsumableRule.objects.filter(
        is_active=True, part_id=OuterRef("rule__part_id"), product_model_id=OuterRef("product__product_model_id"))
    return Q(rule__is_active=True) & (Q(rule__product_model__isnull=False) | ~Exists(overriding))


def _settle_active(brand_id: int, products: QuerySet | None) -> None:
    consumables = Schedule.objects.filter(brand_id=brand_id, kind=ScheduleKind.CONSUMABLE)
    if products is not None:
        consumables = consumables.filter(product_id__in=products.values("pk"))
    with transaction.atomic():
        consumables.filter(is_active=True).exclude(applies()).update(is_active=False, updated_at=timezone.now())
        consumables.filter(is_active=False).filter(applies()).update(is_active=True, updated_at=timezone.now())


# --- plans ----------------------------------------------------------------------------------------------------

@transaction.atomic
def schedule_plan(*, product: InstalledProduct, plan: MaintenancePlan, contract: Contract | None,
                  starts_on: dt.date, ends_on: dt.date | None) -> Schedule:
    """The maintenance schedule of ``product`` under ``plan`` (and ``contract``): created, or its end moved
    (a renewal) and reactivated. Its interval runs from the last visit, else from ``starts_on``."""
    if plan.brand_id != product.brand_id:
        raise InvalidInput(_("The plan belongs to another brand."), field="plan")
    schedule, created = Schedule.objects.get_or_create(
        product=product, plan=plan, contract=contract,
        defaults={"brand_id": product.brand_id, "customer_id": product.customer_id,
                  "kind": ScheduleKind.MAINTENANCE, "ends_on": ends_on,
                  # without a contract to run from, the plan's start is where its first interval runs from
                  "last_done_on": None if contract is not None else starts_on})
    if not created:
        schedule.ends_on, schedule.is_active = ends_on, True
        schedule.version += 1
        schedule.save(update_fields=["ends_on", "is_active", "version", "updated_at"])
    schedule.product, schedule.plan, schedule.contract = product, plan, contract
    recompute([schedule])
    return schedule


# --- resets -------------------------------------------------------------------------------------------------

def meters_on(*, product_id: int, day: dt.date) -> dict[str, Decimal | None]:
    """The product's cumulative meters as last read by the end of ``day`` (the brand's day): the meter at a
    replacement done that day."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=brand_tz())
    found: dict[str, Decimal | None] = {}
    for key, metric in (("litres", Metric.LITRES_FILTERED), ("hours", Metric.RUNNING_HOURS)):
        found[key] = (UsageReading.objects.filter(product_id=product_id, metric=metric, read_at__lt=end)
                      .order_by("-read_at").values_list("value", flat=True).first())
    return found


def schedules_replaced(*, product: InstalledProduct, part: Part | None = None,
                       plan: MaintenancePlan | None = None) -> QuerySet:
    """The product's schedules a replacement of ``part`` or a visit under ``plan`` restarts: the part's
    consumable schedule; the plan's schedule and the consumables its visit replaces (PlanPart)."""
    if part is None and plan is None:
        raise InvalidInput(_("Say which part was replaced or which plan's visit was done."))
    which = Q()
    if part is not None:
        which |= Q(kind=ScheduleKind.CONSUMABLE, rule__part_id=part.pk)
    if plan is not None:
        which |= Q(kind=ScheduleKind.MAINTENANCE, plan_id=plan.pk)
        which |= Q(kind=ScheduleKind.CONSUMABLE,
                   rule__part_id__in=PlanPart.objects.filter(plan_id=plan.pk).values("part_id"))
    return Schedule.objects.filter(which, product_id=product.pk)


@transaction.atomic
def record_replacement(*, product: InstalledProduct, part: Part | None = None, plan: MaintenancePlan | None = None,
                       on: dt.date, via: str, meters: dict[str, Decimal | None] | None = None) -> list[Schedule]:
    """The part was replaced (or the plan's visit done) on ``on``: its schedules restart that day with the
    meters then (given, else the device's last readings by that day), their due dates are computed again,
    and their open reminders are answered (done). A replacement on or before the last one recorded changes
    nothing (the same completion delivered again, a late report of an old event). Returns the schedules
    restarted."""
    if via not in ReplacedVia.values:
        raise InvalidInput(_("Unknown way of replacement."), field="via")
    if meters is None:
        meters = meters_on(product_id=product.pk, day=on)
    restarted: list[Schedule] = []
    targets = (schedules_replaced(product=product, part=part, plan=plan)
               .filter(Q(last_done_on__isnull=True) | Q(last_done_on__lt=on))
               .select_related("rule", "plan", "contract", "product"))
    for schedule in targets:
        schedule.last_done_on, schedule.last_done_via = on, via
        schedule.litres_at_last, schedule.hours_at_last = meters.get("litres"), meters.get("hours")
        result = forecast_of(schedule)
        # compare-and-set: a concurrent reset of the same schedule wins once, the other re-reads nothing stale
        updated = Schedule.objects.filter(pk=schedule.pk, version=schedule.version).update(
            last_done_on=on, last_done_via=via, litres_at_last=schedule.litres_at_last,
            hours_at_last=schedule.hours_at_last, due_on=result.due_on, due_by=result.due_by,
            version=schedule.version + 1, updated_at=timezone.now())
        if updated:
            schedule.due_on, schedule.due_by, schedule.version = result.due_on, result.due_by, schedule.version + 1
            restarted.append(schedule)
    if restarted:
        Reminder.objects.filter(schedule__in=restarted, status__in=[ReminderStatus.SENT, ReminderStatus.BOOKED]) \
            .update(status=ReminderStatus.DONE, acted_at=timezone.now())
    return restarted
