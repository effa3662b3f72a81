"""Reads for sales on site: the rule in force, the leads of a queue, a technician's earnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from core.dates import add_months
from revenue.choices import DEFAULT_QUEUE, LeadKind, LeadStatus
from revenue.models import Commission, CommissionRule, Lead, LeadEvent

ZERO = Decimal("0.00")


def rule_in_force(*, brand_id: int, kind: str, day: dt.date) -> CommissionRule | None:
    """The brand's rule for this kind of lead on that day (rules of one kind never overlap)."""
    return (CommissionRule.objects.filter(brand_id=brand_id, kind=kind, valid_from__lte=day)
            .exclude(valid_to__lt=day).order_by("-valid_from").first())


def queue_for(*, brand_id: int, kind: str, day: dt.date) -> str:
    rule = rule_in_force(brand_id=brand_id, kind=kind, day=day)
    return rule.queue if rule is not None else DEFAULT_QUEUE[LeadKind(kind)]


def leads(user, *, status: str = "", kind: str = "") -> QuerySet[Lead]:
    qs = Lead.objects.visible_to(user).select_related("customer", "technician", "work_order", "outlet")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def get_lead(user, pk) -> Lead:
    return leads(user).get(pk=pk)


def timeline(user, lead: Lead):
    return list(LeadEvent.objects.visible_to(user).filter(lead=lead).select_related("actor"))


@dataclass(frozen=True)
class Month:
    start: dt.date
    total: Decimal
    count: int


@dataclass(frozen=True)
class Earnings:
    this_month: Month
    last_month: Month
    commissions: list[Commission] = field(default_factory=list)
    open_leads: list[Lead] = field(default_factory=list)
    lost_leads: int = 0


def _month_bounds(first: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(add_months(first, 1), dt.time.min, tzinfo=tz)
    return start, end


def _month(commissions: QuerySet[Commission], first: dt.date) -> Month:
    start, end = _month_bounds(first)
    row = commissions.filter(earned_at__gte=start, earned_at__lt=end).aggregate(total=Sum("amount"),
                                                                                 count=Count("pk"))
    return Month(start=first, total=(row["total"] or ZERO).quantize(ZERO), count=row["count"])


def earnings(user, *, now: dt.datetime | None = None, recent: int = 50) -> Earnings:
    """A technician's commissions: this month and last month (in the shown time zone), and per lead."""
    now = now or timezone.now()
    first = timezone.localdate(now).replace(day=1)
    mine = Commission.objects.visible_to(user)
    own_leads = Lead.objects.visible_to(user)
    return Earnings(
        this_month=_month(mine, first),
        last_month=_month(mine, add_months(first, -1)),
        commissions=list(mine.select_related("lead", "lead__customer", "lead__work_order")[:recent]),
        open_leads=list(own_leads.filter(status__in=[LeadStatus.NEW, LeadStatus.CONTACTED])
                        .select_related("customer", "work_order")[:recent]),
        lost_leads=own_leads.filter(status=LeadStatus.LOST).count(),
    )
