"""What the bench, the tracking page and the turnaround report read about mail-in repairs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrgKind
from accounts.models import Organisation
from accounts.principal import Principal
from catalog.models import Part
from logistics import turnaround
from logistics.choices import OPEN_HOPS, Decision, Hop, ShipmentStatus
from logistics.models import MailIn, MailInStep, Shipment, ShipmentEvent
from parts.errors import NoWarehouse
from parts.models import StockBalance
from parts.services.requests import store_of


def steps_for(case: MailIn, actor: Principal | None) -> list[MailInStep]:
    """The case's steps, first to last; a customer (or nobody signed in) sees only those meant for them."""
    rows = MailInStep.objects.filter(mail_in=case).order_by("pk")
    if actor is None or actor.is_customer:
        rows = rows.filter(customer_visible=True)
    return list(rows)


# --- the bench's desk (console/bench) ------------------------------------------------------------------------------

# The bench's queues, in the order a unit goes through them: a key and the hops it holds.
QUEUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("incoming", (Hop.PICKUP_BOOKED, Hop.COLLECTED, Hop.IN_TRANSIT)),
    ("arrived", (Hop.ARRIVED,)),
    ("received", (Hop.RECEIVED,)),
    ("diagnosed", (Hop.DIAGNOSED,)),
    ("quoted", (Hop.QUOTED,)),
    ("decided", (Hop.APPROVED, Hop.DECLINED)),
    ("repaired", (Hop.REPAIRED,)),
    ("qc_passed", (Hop.QC_PASSED,)),
    ("shipped", (Hop.SHIPPED,)),
)
QUEUE_HOPS: dict[str, tuple[str, ...]] = dict(QUEUES)
SCAN_MAX = 64


def works_at_centre(principal: Principal | None) -> bool:
    """Outlet staff of a repair centre: their outlet is flagged one, or still has mail-in cases at its bench."""
    if principal is None or not principal.is_outlet_staff or principal.outlet_id is None:
        return False
    return (Organisation.objects.filter(pk=principal.outlet_id, is_repair_centre=True).exists()
            or MailIn.objects.filter(centre_id=principal.outlet_id).exists())


def repair_centres(user) -> QuerySet[Organisation]:
    """The repair centres the user may see (the brand's staff: all of the brand's; a centre's staff: their own)."""
    return Organisation.objects.visible_to(user).filter(kind=OrgKind.OUTLET, is_repair_centre=True).order_by("name")


def cases(user, *, centre_id: int | None = None) -> QuerySet[MailIn]:
    found = MailIn.objects.visible_to(user)
    return found.filter(centre_id=centre_id) if centre_id else found


def case_of_order(user, order_id: int) -> MailIn | None:
    """The mail-in case of a work order the user may see; None for another's order or one that is no mail-in."""
    return (MailIn.objects.visible_to(user).filter(work_order_id=order_id)
            .select_related("work_order__customer", "work_order__product__product_model", "centre", "brand")
            .first())


def queue_counts(user, *, centre_id: int | None = None) -> dict[str, int]:
    """How many cases wait in each queue (every queue named, 0 when empty)."""
    by_hop = dict(cases(user, centre_id=centre_id).order_by().values_list("hop").annotate(n=Count("pk")))
    return {key: sum(by_hop.get(hop, 0) for hop in hops) for key, hops in QUEUES}


def queue(user, key: str, *, centre_id: int | None = None, limit: int = 100) -> list[MailIn]:
    """The cases of one queue, longest waiting first."""
    hops = QUEUE_HOPS.get(key)
    if hops is None:
        return []
    return list(cases(user, centre_id=centre_id).filter(hop__in=hops)
                .select_related("work_order__customer", "work_order__product__product_model", "centre")
                .order_by("hop_since", "pk")[:limit])


def is_late(case: MailIn, now: dt.datetime) -> bool:
    """The unit has stayed in its hop past the hop's due time."""
    return case.hop in OPEN_HOPS and case.hop_due is not None and case.hop_due < now


def find_case(user, code: str) -> MailIn | None:
    """The case a scanned or typed code names, among those the user may see: a waybill (either way), the order's
    number, or a serial (as received, on the order's unit, or of an exchange unit); an open case before a closed
    one, the latest first. None when nothing matches."""
    code = (code or "").strip()
    if not code or len(code) > SCAN_MAX:
        return None
    visible = MailIn.objects.visible_to(user)
    parcels = Shipment.objects.filter(waybill=code.upper()).values("mail_in_id")
    for lookup in (Q(pk__in=parcels), Q(work_order__number__iexact=code),
                   Q(received_serial__iexact=code) | Q(work_order__product__serial__iexact=code)
                   | Q(exchange_serial__iexact=code)):
        found = list(visible.filter(lookup).order_by("-created_at", "-pk")[:20])
        if found:
            return min(found, key=lambda c: c.hop not in OPEN_HOPS)  # min keeps the latest among equals
    return None


def shipments_of(case: MailIn) -> list[Shipment]:
    """The case's parcels, first booked first, each with its route events."""
    return list(Shipment.objects.filter(mail_in=case).prefetch_related("route").order_by("created_at", "pk"))


def store_stock(case: MailIn) -> list[StockBalance]:
    """What the centre's parts store holds, part by part (nothing when the centre has no store yet)."""
    try:
        store = store_of(case.centre_id)
    except NoWarehouse:
        return []
    return list(StockBalance.objects.filter(warehouse=store).select_related("part").order_by("part__code"))


def bench_parts(brand_id: int) -> list[Part]:
    """The brand's active parts, as the bench picks them by code."""
    return list(Part.objects.filter(brand_id=brand_id, is_active=True).order_by("code")[:1000])


# --- turnaround (the report page; logistics/turnaround.py does the arithmetic) --------------------------------------

WEEKS_MAX = 52


@dataclass(frozen=True)
class Turnaround:
    weeks: list[turnaround.Week]  # oldest first, every week of the span (a week without cases has a count of 0)
    overall: turnaround.Figures
    since: dt.date


def turnaround_rows(user, *, centre_id: int | None = None, since: dt.datetime | None = None
                    ) -> list[turnaround.CaseTimes]:
    """The times of each delivered case the user may see (of one centre), delivered back since ``since``."""
    delivered = cases(user, centre_id=centre_id).filter(hop=Hop.DELIVERED, delivered_at__isnull=False)
    if since is not None:
        delivered = delivered.filter(delivered_at__gte=since)
    heads = list(delivered.values_list("pk", "work_order__created_at", "delivered_at"))
    firsts: dict[int, dict[str, dt.datetime]] = {}
    steps = (MailInStep.objects.filter(mail_in__in=delivered.values("pk"),
                                       hop__in=(Hop.COLLECTED, Hop.ARRIVED, Hop.RECEIVED, Hop.SHIPPED))
             .order_by().values_list("mail_in_id", "hop").annotate(at=Min("at")))
    for case_id, hop, at in steps:
        firsts.setdefault(case_id, {})[hop] = at
    rows = []
    for case_id, reported, delivered_at in heads:
        at = firsts.get(case_id, {})
        if Hop.SHIPPED not in at or not (at.get(Hop.ARRIVED) or at.get(Hop.RECEIVED)):
            continue  # not through the bench (cannot happen by the workflow; never guess its times)
        rows.append(turnaround.CaseTimes(reported=reported, shipped=at[Hop.SHIPPED], delivered=delivered_at,
                                         arrived=at.get(Hop.ARRIVED), received=at.get(Hop.RECEIVED),
                                         collected=at.get(Hop.COLLECTED)))
    return rows


def turnaround_report(user, *, centre_id: int | None = None, weeks: int = 8,
                      now: dt.datetime | None = None) -> Turnaround:
    """The last ``weeks`` ISO weeks (this one included, in the active time zone) of the cases the user may see."""
    weeks = min(max(weeks, 1), WEEKS_MAX)
    tz = timezone.get_current_timezone()
    this_monday = turnaround.monday_of(now or timezone.now(), tz)
    mondays = [this_monday - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    start = dt.datetime.combine(mondays[0], dt.time.min, tzinfo=tz)
    rows = turnaround_rows(user, centre_id=centre_id, since=start)
    return Turnaround(weeks=turnaround.weekly(rows, tz=tz, mondays=mondays), overall=turnaround.figures(rows),
                      since=mondays[0])


# --- the customer's tracking page (portal/) --------------------------------------------------------------------------

# Every unit goes through these up to the bench's diagnosis; what follows depends on the warranty and the answer.
TRACK_HEAD = (Hop.PICKUP_BOOKED, Hop.COLLECTED, Hop.IN_TRANSIT, Hop.ARRIVED, Hop.RECEIVED, Hop.DIAGNOSED)
TRACK_TAIL = (Hop.QC_PASSED, Hop.SHIPPED, Hop.DELIVERED)
# A hop's words once the unit is past it, where its own label reads as still waiting.
DONE_LABELS = {Hop.QUOTED: _("Quote sent")}


@dataclass(frozen=True)
class HopRow:
    hop: str
    label: Any
    state: str  # "done", "current", "todo" or "cancelled"
    at: dt.datetime | None = None
    place: str = ""


@dataclass(frozen=True)
class Parcel:
    shipment: Shipment
    route: list[ShipmentEvent]  # the courier's events, newest first
    booking: str  # "" once the courier has booked it; "arranging" while we book it; "refused" when it said no


def hop_path(case: MailIn) -> list[str]:
    """The hops the unit goes through, in order, as far as they are known now: a quote and the customer's answer
    when the unit is out of warranty (or was quoted), and no repair after a declined quote."""
    declined = case.hop == Hop.DECLINED or case.decision == Decision.DECLINED
    path: list[str] = list(TRACK_HEAD)
    if not case.in_warranty or case.quote_total is not None or case.decision:
        path += [Hop.QUOTED, Hop.DECLINED if declined else Hop.APPROVED]
    if not declined:
        path.append(Hop.REPAIRED)
    path += TRACK_TAIL
    if case.hop != Hop.CANCELLED and case.hop not in path:
        path = sorted({*path, case.hop}, key=Hop.values.index)
    return path


def progress(case: MailIn, steps: list[MailInStep]) -> list[HopRow]:
    """The unit's hops as its customer follows them, like a parcel: those behind it with the time and place it
    reached them (one the courier never scanned is behind it without a time), the one it is in, those ahead.
    ``steps`` are the steps the reader may see (``steps_for``); a cancelled case ends at its cancellation."""
    reached: dict[str, MailInStep] = {}
    for step in steps:
        if step.hop != step.from_hop:  # a failed quality check stays in its hop: not a move
            reached[step.hop] = step
    path = hop_path(case)
    if case.hop == Hop.CANCELLED:
        last = max((path.index(hop) for hop in reached if hop in path), default=0)
        return ([_hop_row(hop, "done", reached.get(hop)) for hop in path[:last + 1]]
                + [_hop_row(Hop.CANCELLED, "cancelled", reached.get(Hop.CANCELLED))])
    here = path.index(case.hop)
    rows = []
    for n, hop in enumerate(path):
        if n < here or (n == here and hop == Hop.DELIVERED):
            rows.append(_hop_row(hop, "done", reached.get(hop)))
        else:
            rows.append(_hop_row(hop, "current" if n == here else "todo", reached.get(hop) if n == here else None))
    return rows


def _hop_row(hop: str, state: str, step: MailInStep | None) -> HopRow:
    label = DONE_LABELS.get(hop, Hop(hop).label) if state == "done" else Hop(hop).label
    return HopRow(hop=hop, label=label, state=state, at=step.at if step else None, place=step.place if step else "")


def booking_state(shipment: Shipment) -> str:
    """"" once the courier has booked the parcel; "refused" when the courier said no (booking.book leaves it to
    staff then: no next try); "arranging" while we book it, tried again by itself while the courier is down."""
    if shipment.status != ShipmentStatus.BOOKING:
        return ""
    return "refused" if shipment.last_error and shipment.next_try_at is None else "arranging"


def parcels(case: MailIn) -> list[Parcel]:
    """The case's live parcels (a cancelled one left out), first booked first, each with its route newest first."""
    newest_first = ShipmentEvent.objects.order_by("-at", "-pk")
    rows = (Shipment.objects.filter(mail_in=case).exclude(status=ShipmentStatus.CANCELLED)
            .prefetch_related(Prefetch("route", queryset=newest_first, to_attr="newest_first"))
            .order_by("created_at", "pk"))
    return [Parcel(shipment=s, route=s.newest_first, booking=booking_state(s)) for s in rows]


def change_marks(order_pk: Any) -> dict[str, Subquery]:
    """Annotations for a query of work orders (``order_pk``: an OuterRef to the order's pk) that change whenever
    the customer's tracking of its mail-in case would: the hop (the case's version), the newest route event, and
    the parcels' booking (their number, those still booking, those waiting for staff, the tries). All None for an
    order that is no mail-in repair; the portal's polling reads them with the order's own state, in one query."""
    shipments = Shipment.objects.filter(mail_in__work_order_id=order_pk).order_by().values("mail_in")

    def each(aggregate: Any) -> Subquery:
        return Subquery(shipments.annotate(n=aggregate).values("n")[:1])

    booking = Q(status=ShipmentStatus.BOOKING)
    return {
        "mail_in_version": Subquery(MailIn.objects.filter(work_order_id=order_pk).values("version")[:1]),
        "mail_in_route": each(Max("route__pk")),
        "mail_in_parcels": each(Count("pk")),
        "mail_in_booking": each(Count("pk", filter=booking)),
        "mail_in_waiting": each(Count("pk", filter=booking & Q(next_try_at__isnull=True))),
        "mail_in_tries": each(Sum("attempts")),
    }


