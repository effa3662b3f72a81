"""Reads of complaints for the desk, the portal and the API; every one starts from ``visible_to``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.choices import Role
from complaints.choices import (
    ACTIVE_STATUSES,
    COUNTED_OUTCOMES,
    ComplaintCategory,
    ComplaintStatus,
    Outcome,
    Remedy,
    Severity,
)
from complaints.models import Complaint, ComplaintEvent


@dataclass(frozen=True)
class Filters:
    status: str = ""
    severity: str = ""
    category: str = ""
    outlet_id: int | None = None
    overdue: bool = False


def complaints(user, filters: Filters = Filters(), *, now: dt.datetime | None = None) -> QuerySet[Complaint]:
    """The complaints ``user`` may see, filtered as the desk and the API filter them."""
    qs = Complaint.objects.visible_to(user).select_related("customer", "work_order", "outlet", "technician")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.outlet_id:
        qs = qs.filter(outlet_id=filters.outlet_id)
    if filters.overdue:
        qs = qs.filter(overdue_q(now or timezone.now()))
    return qs


def overdue_q(now: dt.datetime) -> Q:
    """Still being worked and past a clock: not acknowledged by its acknowledge-by, or not resolved by its
    resolve-by."""
    late = Q(acknowledged_at__isnull=True, acknowledge_due__lt=now) | Q(resolve_due__lt=now)
    return Q(status__in=sorted(ACTIVE_STATUSES)) & late


def is_overdue(complaint: Complaint, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    if not complaint.is_active:
        return False
    return bool((complaint.acknowledged_at is None and complaint.acknowledge_due and complaint.acknowledge_due < now)
                or (complaint.resolve_due and complaint.resolve_due < now))


def get_complaint(user, pk: int) -> Complaint:
    return complaints(user).get(pk=pk)


def timeline(user, complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return ComplaintEvent.objects.visible_to(user).filter(complaint=complaint).select_related("actor")


# --- what the customer is shown ------------------------------------------------------------------------------
# One rule for the API's customer shape and the portal: a customer sees their complaint's status and the times
# they were promised, their own words, and the verdict and remedies offered to them. The working of the desk and
# the outlet stays with staff: notes, the ladder's rung, the outlet and technician, who was held responsible,
# the outlet's appeal statement and the arbiter's reasons.

@dataclass(frozen=True)
class CustomerEvent:
    action: str
    status: str
    at: dt.datetime
    note: str  # the customer's own words (a reopening) or how it was resolved; staff notes are never here

    @property
    def status_label(self) -> str:
        return str(ComplaintStatus(self.status).label)


@dataclass(frozen=True)
class CustomerComplaint:
    id: int
    number: str
    status: str
    category: str
    severity: str
    channel: str
    description: str
    work_order_id: int | None
    work_order_number: str | None
    opened_at: dt.datetime
    acknowledge_due: dt.datetime | None
    acknowledged_at: dt.datetime | None
    resolve_due: dt.datetime | None
    resolved_at: dt.datetime | None
    outcome: str
    remedies: tuple[str, ...]
    compensation: Decimal
    resolution: str

    @property
    def status_label(self) -> str:
        return str(ComplaintStatus(self.status).label)

    @property
    def category_label(self) -> str:
        return str(ComplaintCategory(self.category).label)

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label) if self.outcome else ""

    @property
    def remedy_labels(self) -> list[str]:
        return [str(Remedy(r).label) for r in self.remedies]


def for_customer(complaint: Complaint) -> CustomerComplaint:
    """What the complaint's customer is shown of it (``complaint`` fetched through their ``visible_to``)."""
    order = complaint.work_order if complaint.work_order_id else None
    return CustomerComplaint(
        id=complaint.pk, number=complaint.number, status=complaint.status, category=complaint.category,
        severity=complaint.severity, channel=complaint.channel, description=complaint.description,
        work_order_id=complaint.work_order_id, work_order_number=order.number if order else None,
        opened_at=complaint.opened_at, acknowledge_due=complaint.acknowledge_due,
        acknowledged_at=complaint.acknowledged_at, resolve_due=complaint.resolve_due,
        resolved_at=complaint.resolved_at, outcome=complaint.outcome,
        remedies=tuple(r for r in complaint.remedies if r in Remedy.values), compensation=complaint.compensation,
        resolution=complaint.resolution,
    )


def customer_timeline(user, complaint: Complaint) -> list[CustomerEvent]:
    """The complaint's steps as its customer is shown them: when its status changed, and only the words that
    were theirs or were meant for them."""
    return [CustomerEvent(action=e.action, status=e.to_status, at=e.created_at,
                          note=e.note if e.actor_role == Role.CUSTOMER or e.action == "resolve" else "")
            for e in timeline(user, complaint)]


@dataclass(frozen=True)
class UpheldCount:
    id: int
    name: str
    upheld: int
    partly: int

    @property
    def total(self) -> int:
        return self.upheld + self.partly


def _decided_in(qs: QuerySet[Complaint], since: dt.datetime | None, until: dt.datetime | None) -> QuerySet[Complaint]:
    qs = qs.filter(outcome__in=sorted(COUNTED_OUTCOMES), resolved_at__isnull=False)
    if since is not None:
        qs = qs.filter(resolved_at__gte=since)
    if until is not None:
        qs = qs.filter(resolved_at__lt=until)
    return qs


def upheld_by_outlet(qs: QuerySet[Complaint], *, since: dt.datetime | None = None,
                     until: dt.datetime | None = None) -> list[UpheldCount]:
    """Upheld and partly upheld complaints per outlet (the verdict in force: an arbiter's decision replaces the
    one appealed), resolved in [since, until): the KPI the desk shows and the settlement will deduct by."""
    rows = (_decided_in(qs, since, until).exclude(outlet=None).values("outlet_id", "outlet__name")
            .annotate(upheld=Count("pk", filter=Q(outcome="upheld")), partly=Count("pk", filter=Q(outcome="partly")))
            .order_by("-upheld", "-partly", "outlet__name"))
    return [UpheldCount(r["outlet_id"], r["outlet__name"], r["upheld"], r["partly"]) for r in rows]


def upheld_by_technician(qs: QuerySet[Complaint], *, since: dt.datetime | None = None,
                         until: dt.datetime | None = None) -> list[UpheldCount]:
    """As ``upheld_by_outlet``, per technician."""
    rows = (_decided_in(qs, since, until).exclude(technician=None).values("technician_id", "technician__name")
            .annotate(upheld=Count("pk", filter=Q(outcome="upheld")), partly=Count("pk", filter=Q(outcome="partly")))
            .order_by("-upheld", "-partly", "technician__name"))
    return [UpheldCount(r["technician_id"], r["technician__name"], r["upheld"], r["partly"]) for r in rows]
