"""Read paths for slot offering: gather the board (dispatch.slots.Board) in one query per kind of data.

Queries, whatever the number of days or windows: the service standard, the serving outlets, their
qualified technicians, those technicians' certificates for the skill, and the outlets' booked jobs.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.choices import OrgKind
from accounts.models import Organisation
from core.dates import brand_tz
from core.geo.distance import distance_km
from customers.models import InstalledProduct, Site
from dispatch import choose, gather, slots
from dispatch.slots import SlotOffer
from network.models import Certification, Technician
from workorders.choices import OPEN_STATUSES
from workorders.models import WorkOrder

__all__ = ["SlotOffer", "board_for", "free_capacity", "offer_slots", "serves", "slot_windows"]


def slot_windows(*, days: int = 7, now: dt.datetime | None = None) -> list[slots.Window]:
    return slots.windows(now=now or timezone.now(), days=days, tz=brand_tz())


def _job(product: InstalledProduct, service_type: str) -> tuple[slots.Job, int | None]:
    minutes, skill_id, _name = gather.standard_of(product.brand_id, product.product_model_id, service_type)
    return slots.Job(standard_minutes=minutes), skill_id


def _serving(product: InstalledProduct, site: Site):
    """The outlets that serve the product at the site: active, covering its region, authorised for its category."""
    return Organisation.objects.filter(
        kind=OrgKind.OUTLET, brand_id=product.brand_id, is_active=True, service_regions=site.region_id,
        authorised_categories=product.product_model.category_id,
    )


def serves(*, product: InstalledProduct, site: Site | None = None) -> bool:
    """Whether some outlet serves the product at the site (default the product's), whether or not it has time free.
    A site with no region is served by nobody, as the slots have it."""
    site = site if site is not None else product.site
    if site is None or site.region_id is None:
        return False
    return _serving(product, site).exists()


def _outlets(product: InstalledProduct, site: Site, outlet_id: int | None) -> list[slots.Outlet]:
    rows = _serving(product, site)
    if outlet_id is not None:
        rows = rows.filter(pk=outlet_id)
    found = []
    for row in rows.order_by("pk").values("pk", "latitude", "longitude", "daily_capacity"):
        distance = None
        if None not in (row["latitude"], row["longitude"], site.latitude, site.longitude):
            distance = distance_km((row["latitude"], row["longitude"]), (site.latitude, site.longitude))
        found.append(slots.Outlet(outlet_id=row["pk"], daily_capacity=row["daily_capacity"], distance_km=distance))
    return found


def _crews(outlet_ids: list[int], skill_id: int | None) -> list[slots.Crew]:
    """Active technicians with the skill; the certificate rule of Technician.qualified_for, day by day.

    qualified_for answers for one day in one query; a week of windows would take seven, so the
    certificates' spans are read once and dispatch.slots.Crew.qualified_on applies the same rule.
    """
    techs = Technician.objects.filter(outlet_id__in=outlet_ids, is_active=True)
    if skill_id is not None:
        techs = techs.filter(skills=skill_id)
    rows = list(techs.order_by("pk").values("pk", "outlet_id", "working_hours", "daily_capacity"))
    spans: dict[int, list[tuple[dt.date, dt.date]]] = {}
    if skill_id is not None and rows:
        certificates = Certification.objects.filter(technician_id__in=[r["pk"] for r in rows], skill_id=skill_id)
        for tech_id, start, end in certificates.order_by().values_list("technician_id", "valid_from", "expires_on"):
            spans.setdefault(tech_id, []).append((start, end))
    return [
        slots.Crew(technician_id=r["pk"], outlet_id=r["outlet_id"], hours=slots.parse_hours(r["working_hours"]),
                   daily_capacity=r["daily_capacity"],
                   certificates=tuple(spans[r["pk"]]) if r["pk"] in spans else None)
        for r in rows
    ]


def _bookings(outlet_ids: list[int], start: dt.datetime, end: dt.datetime,
              exclude_order_id: int | None) -> list[slots.Booking]:
    """Open orders of these outlets whose requested slot overlaps [start, end) (index wo_outlet_slot)."""
    rows = WorkOrder.objects.filter(
        outlet_id__in=outlet_ids, slot_start__isnull=False, slot_start__lt=end, slot_end__gt=start,
        status__in=sorted(OPEN_STATUSES),
    )
    if exclude_order_id is not None:
        rows = rows.exclude(pk=exclude_order_id)
    return [slots.Booking(outlet_id=o, start=s, end=e)
            for o, s, e in rows.order_by().values_list("outlet_id", "slot_start", "slot_end")]


def board_for(*, product: InstalledProduct, service_type: str, span: tuple[dt.datetime, dt.datetime],
              site: Site | None = None, outlet_id: int | None = None,
              exclude_order_id: int | None = None) -> slots.Board:
    """The board for ``product`` and ``service_type`` over ``span`` (whole local days are read for bookings)."""
    tz = brand_tz()
    site = site if site is not None else product.site
    job, skill_id = _job(product, service_type)
    if site is None or site.region_id is None:
        return slots.Board(tz=tz, job=job)
    outlets = _outlets(product, site, outlet_id)
    if not outlets:
        return slots.Board(tz=tz, job=job)
    ids = [o.outlet_id for o in outlets]
    # The day cap counts every booking of the day, so read whole days around the span.
    day_start = dt.datetime.combine(span[0].astimezone(tz).date(), dt.time.min, tzinfo=tz)
    day_end = dt.datetime.combine(span[1].astimezone(tz).date() + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return slots.Board(tz=tz, job=job, outlets=outlets, crews=_crews(ids, skill_id),
                       bookings=_bookings(ids, day_start, day_end, exclude_order_id))


def offer_slots(*, product: InstalledProduct, service_type: str, days: int = 7, now: dt.datetime | None = None,
                site: Site | None = None) -> list[SlotOffer]:
    """The appointment windows the serving outlets can actually offer, one per window, soonest first.

    ``product`` (and ``site``, default the product's) were fetched through ``visible_to`` by the caller.
    """
    candidates = slot_windows(days=days, now=now)
    if not candidates:
        return []
    board = board_for(product=product, service_type=service_type, site=site,
                      span=(candidates[0][0], candidates[-1][1]))
    # Only windows with room somewhere are asked of the ranking, whether someone can really take the job then.
    roomy = [w for w in candidates if any(slots.free_in(board.of(o), o, w) > 0 for o in board.outlets)]
    staffed = choose.staffable(product=product, site=site if site is not None else product.site,
                               service_type=service_type, windows=roomy, now=now)
    return slots.offers(board, candidates, staffed)


def free_capacity(*, product: InstalledProduct, service_type: str, outlet_id: int, window: slots.Window,
                  site: Site | None = None, exclude_order_id: int | None = None) -> int:
    """What one outlet can still take in one window (0 when it no longer serves the product there)."""
    board = board_for(product=product, service_type=service_type, site=site, span=window, outlet_id=outlet_id,
                      exclude_order_id=exclude_order_id)
    for outlet in board.outlets:
        free = slots.free_in(board, outlet, window)
        if free > 0 and outlet_id not in choose.staffable(
                product=product, site=site if site is not None else product.site, service_type=service_type,
                windows=[window], outlet_id=outlet_id).get(window, ()):
            return 0
        return free
    return 0
