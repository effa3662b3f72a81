"""What a schedule says to a person: what is due, when, and why (the API, the portal and the console read it
here, from maintenance.schedules.forecast_of: one rule)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.text import bilingual
from customers.models import InstalledProduct
from maintenance.choices import DueBy, ScheduleKind
from maintenance.forecast import Forecast
from maintenance.models import Reminder, Schedule
from maintenance.schedules import forecast_of


@dataclass(frozen=True)
class Line:
    """One schedule as a person reads it."""

    schedule: Schedule
    kind: str
    name: str
    due_on: dt.date | None
    due_by: str
    why: list[str]  # the deciding reason first
    self_replaceable: bool
    part_id: int | None
    plan_id: int | None

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < timezone.localdate()


def day_words(day: dt.date) -> str:
    """"June 20" / "6月20日" within this year, with the year otherwise."""
    fmt = "MONTH_DAY_FORMAT" if day.year == timezone.localdate().year else "DATE_FORMAT"
    return date_format(day, fmt)


def _number(value: Decimal | int) -> str:
    value = Decimal(value)
    rounded = value.quantize(Decimal(1)) if value >= 10 else value.quantize(Decimal("0.1"))
    return f"{rounded.normalize():,f}"


def why(schedule: Schedule, result: Forecast | None = None) -> list[str]:
    """The reasons behind the due date, the deciding one first: "every 6 months, counted from June 20",
    "2,000 L at your usage of 35 L a day"."""
    result = result or forecast_of(schedule)
    if result.start is None:
        return [_("No install or replacement date is known yet.")]
    reasons: dict[str, str] = {}
    if result.months:
        reasons[DueBy.TIME] = _("every %(months)s months, counted from %(day)s") % {
            "months": result.months, "day": day_words(result.start)}
    target = schedule.rule if schedule.rule_id else schedule.plan
    litres = target.litres if schedule.rule_id else target.interval_litres
    hours = target.hours if schedule.rule_id else target.interval_hours
    if litres and schedule.litres_per_day:
        reasons[DueBy.LITRES] = _("%(limit)s L at your usage of %(rate)s L a day") % {
            "limit": _number(litres), "rate": _number(schedule.litres_per_day)}
    if hours and schedule.hours_per_day:
        reasons[DueBy.HOURS] = _("%(limit)s running hours at %(rate)s hours a day") % {
            "limit": _number(hours), "rate": _number(schedule.hours_per_day)}
    first = reasons.pop(result.due_by, None)
    return ([first] if first else []) + list(reasons.values())


def line(schedule: Schedule) -> Line:
    result = forecast_of(schedule)
    if schedule.kind == ScheduleKind.CONSUMABLE:
        part = schedule.rule.part
        name, self_replaceable, part_id = str(bilingual(part.name, part.name_en)), schedule.rule.self_replaceable, \
            part.pk
    else:
        name, self_replaceable, part_id = schedule.plan.name, False, None
    return Line(schedule=schedule, kind=schedule.kind, name=name, due_on=schedule.due_on, due_by=schedule.due_by,
                why=why(schedule, result), self_replaceable=self_replaceable, part_id=part_id,
                plan_id=schedule.plan_id)


def product_schedule(product: InstalledProduct) -> list[Line]:
    """The product's active schedules, soonest first (``product`` was fetched through ``visible_to``)."""
    rows = (Schedule.objects.filter(product=product, is_active=True)
            .select_related("rule__part", "plan", "contract", "product").order_by("due_on", "pk"))
    return [line(s) for s in rows]


def next_due(product: InstalledProduct) -> Line | None:
    lines = [x for x in product_schedule(product) if x.due_on is not None]
    return lines[0] if lines else None


def reminders_of(user) -> QuerySet[Reminder]:
    """The reminders the user may see: a customer their own, the brand's staff all of the brand's."""
    return (Reminder.objects.visible_to(user)
            .select_related("schedule__rule__part", "schedule__plan", "schedule__product__product_model",
                            "customer", "work_order"))


def reminder_by_token(*, brand_id: int, token: str) -> Reminder | None:
    """The reminder a one-tap link names (its token is the key; the brand must match the link's)."""
    if not token or len(token) > 20:
        return None
    return (Reminder.objects.filter(brand_id=brand_id, token=token)
            .select_related("schedule__rule__part", "schedule__plan", "schedule__contract",
                            "schedule__product__product_model", "schedule__product__site", "customer",
                            "work_order").first())
