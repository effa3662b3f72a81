"""Demo: a real dispatch day at the featured outlet, so the board and the optimiser have something to show.

``seed_dispatch_day(brand, now=...)`` (called by the demo command after the slot phase) books visits in
Hangzhou for the rest of today and for all of tomorrow: most are put on a technician's day through the
product's own path (the ranked candidates, then dispatch.services.assign, which walks the lifecycle),
some of those accepted by their technician, and the rest wait in the queue, still with the brand or
assigned to the outlet but not yet dispatched. A few waiting ones are close to their SLA deadline.
Deterministic for a given ``now`` (the builder's, on the hour).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from accounts.choices import Role
from accounts.models import Membership, Organisation
from accounts.principal import principal_of
from core.dates import brand_tz
from customers.models import InstalledProduct
from demo import data
from demo.common import align_outbox, allocate_numbers
from dispatch import services
from dispatch.board import default_day
from dispatch.choose import candidates_for, fetch_order
from dispatch.gather import shift_of
from network.models import Technician
from workorders import services as order_services
from workorders import workflow
from workorders.choices import Channel, Priority
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.sla import due_times_of

WINDOWS = (9, 11, 13, 15)  # the windows the outlet can staff (17-19 ends after most shifts)
PER_WINDOW = 6  # visits booked in each two-hour window
# A window is booked only if it opens this long after the demo's hour: the board is looked at up to an hour after
# that hour (the builder's ``now`` is on the hour), and a window opening sooner may by then be out of anyone's reach.
READY = dt.timedelta(minutes=90)
# The board is read up to this long after the demo's hour: a queued job is checked for a candidate as of then.
READ_BY = dt.timedelta(minutes=60)
EXTRA_CALLS = 12  # at most this many more calls for a day whose queue nobody could take
EXTRA_TYPES = ("inspection", "maintenance", "repair")  # the shorter jobs first: late in the day little time is left
QUEUED_SHARE = 0.3  # left waiting for the dispatcher
ACCEPTED_SHARE = 0.35  # of those dispatched, already accepted by the technician
SYMPTOMS = ("不出水", "漏水", "异响", "滤芯到期提醒", "显示故障代码 E3", "不制冷", "安装新机")


def _user(brand: Organisation, role: str):
    return Membership.objects.filter(organisation=brand, role=role, is_active=True).select_related("user") \
        .order_by("pk").first().user


@transaction.atomic
def seed_dispatch_day(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    rng = random.Random(20261201)
    tz = brand_tz()
    outlet = Organisation.objects.get(code=data.FEATURED_OUTLET)
    dispatcher, hotline = _user(brand, Role.DISPATCHER), _user(brand, Role.HOTLINE_AGENT)
    desk, phone = principal_of(dispatcher), principal_of(hotline)
    products = list(InstalledProduct.objects.filter(
        brand=brand, site__region__code="hangzhou", site__latitude__isnull=False,
        product_model__category__authorised_outlets=outlet,
    ).select_related("customer", "site", "product_model__category").order_by("pk"))
    if not products:
        return {"dispatch_day_orders": 0}
    rng.shuffle(products)
    techs = {t.pk: t for t in Technician.objects.filter(outlet=outlet, is_active=True).select_related("user", "outlet")}
    today = now.astimezone(tz).date()
    made = dispatched = accepted = queued = 0
    picks = iter(products * 3)
    mine: list[int] = []
    # Per day, the technician kept for the queue: the first queued job found to have a candidate when the board
    # may last show that day keeps that candidate's day as it is (no more seeded jobs), so the dispatcher always
    # has a job to give.
    held: dict[dt.date, int] = {}
    looked = {day: _last_look(brand, day, now) for day in (today, today + dt.timedelta(days=1))}
    for day in (today, today + dt.timedelta(days=1)):
        for hour in WINDOWS:
            start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
            if start < now + READY:
                continue
            for _k in range(PER_WINDOW):
                product = next(picks)
                order = order_services.create_work_order(
                    actor=phone, customer=product.customer, product=product, site=product.site,
                    type=rng.choice(("repair", "repair", "maintenance", "install")), channel=Channel.HOTLINE,
                    symptom=rng.choice(SYMPTOMS), priority=rng.choice((Priority.NORMAL,) * 5 + (Priority.HIGH,
                                                                                             Priority.URGENT)),
                    slot_start=start, slot_end=start + dt.timedelta(hours=2),
                )
                made += 1
                mine.append(order.pk)
                if rng.random() < QUEUED_SHARE:
                    queued += 1
                    if rng.random() < 0.4:
                        workflow.transition(order, "assign", actor=desk, outlet=outlet)
                    if day not in held and looked[day] is not None:
                        keeper = _first_candidate(order, desk, techs, day, looked[day])
                        if keeper is not None:
                            held[day] = keeper
                    continue
                if _dispatch(order, desk, techs, day, now, skip=held.get(day)):
                    dispatched += 1
                    order.refresh_from_db()
                    if rng.random() < ACCEPTED_SHARE:
                        workflow.transition(order, "accept", actor=principal_of(techs[order.technician_id].user))
                        accepted += 1
                else:
                    queued += 1
    # A day the board opens on whose queue nobody can still take (late in the day, or a weekday with few hands
    # for what was called in): a few more calls, queued for the day's next window (or as soon as possible when
    # no window is left), until one has someone.
    for day, when in looked.items():
        window = next((dt.datetime.combine(day, dt.time(h), tzinfo=tz) for h in WINDOWS
                       if dt.datetime.combine(day, dt.time(h), tzinfo=tz) >= now + READY), None)
        likely = iter(_for_the_late_shift(products, techs, when) * 2 if when is not None else [])
        for k in range(EXTRA_CALLS if when is not None and day not in held else 0):
            product = next(likely, None) or next(picks)
            order = order_services.create_work_order(
                actor=phone, customer=product.customer, product=product, site=product.site, type=EXTRA_TYPES[k % 3],
                channel=Channel.HOTLINE, symptom=rng.choice(SYMPTOMS), priority=Priority.HIGH,
                slot_start=window, slot_end=window + dt.timedelta(hours=2) if window else None,
            )
            made += 1
            queued += 1
            mine.append(order.pk)
            keeper = _first_candidate(order, desk, techs, day, when)
            if keeper is not None:
                held[day] = keeper
                break
    _settle_times(mine, now)
    return {"dispatch_day_orders": made, "dispatch_day_dispatched": dispatched, "dispatch_day_accepted": accepted,
            "dispatch_day_queued": queued}


def _settle_times(ids: list[int], now: dt.datetime) -> None:
    """Move the orders' own clock to the demo's ``now`` (the services stamped the real time), keeping every gap:
    two runs with one ``now`` make the same data, and each timeline still runs forwards."""
    events: dict[int, list[WorkOrderEvent]] = {}
    for event in WorkOrderEvent.objects.filter(work_order_id__in=ids).order_by("pk"):
        events.setdefault(event.work_order_id, []).append(event)
    changed_events = []
    orders = list(WorkOrder.objects.filter(pk__in=ids).order_by("pk"))
    bases = [now - dt.timedelta(hours=3) + dt.timedelta(seconds=20 * k) for k in range(len(orders))]
    # Numbers run per month of creation: the demo's month, as services.create_work_order would have given them.
    numbers = allocate_numbers(orders[0].brand_id, bases, brand_tz()) if orders else []
    for order, base, number in zip(orders, bases, numbers, strict=True):
        steps = events[order.pk]
        for n, event in enumerate(steps):
            event.created_at = base + dt.timedelta(seconds=2 * n)
            changed_events.append(event)
        response_due, onsite_due = due_times_of(order, opened_at=base)
        fields = {"number": number, "created_at": base, "updated_at": steps[-1].created_at,
                  "response_due": response_due, "onsite_due": onsite_due}
        if order.accepted_at is not None:
            fields["accepted_at"] = next(e.created_at for e in reversed(steps) if e.action == "accept")
        WorkOrder.objects.filter(pk=order.pk).update(**fields)
    WorkOrderEvent.objects.bulk_update(changed_events, ["created_at"], batch_size=500)
    align_outbox(ids)


def _for_the_late_shift(products: list[InstalledProduct], techs: dict[int, Technician],
                        when: dt.datetime) -> list[InstalledProduct]:
    """The products those still on shift for an hour after ``when`` can service (their category's main skill),
    the nearest to one of them first."""
    local = when.astimezone(brand_tz())
    at = local.hour * 3600 + local.minute * 60
    late = [t for t in techs.values() if (shift := shift_of(t.working_hours, local.date())) and shift[1] - at >= 3600]
    held = set(Technician.skills.through.objects.filter(technician__in=late).values_list("skill__code", flat=True))

    def distance(p: InstalledProduct) -> float:
        return min((float(p.site.latitude - t.home_latitude) ** 2 + float(p.site.longitude - t.home_longitude) ** 2
                    for t in late if t.home_latitude is not None), default=0.0)

    return sorted((p for p in products if data.CATEGORY_SKILLS[p.product_model.category.code][0] in held),
                  key=distance)


def _last_look(brand: Organisation, day: dt.date, now: dt.datetime) -> dt.datetime | None:
    """The latest moment, within READ_BY of ``now``, at which the board opens on ``day`` by default (None: never
    in that time): a queued job of that day must still have someone then."""
    for minutes in range(int(READ_BY.total_seconds() // 60), -1, -5):
        when = now + dt.timedelta(minutes=minutes)
        if default_day(brand.pk, when) == day:
            return when
    return None


def _first_candidate(order: WorkOrder, desk, techs: dict[int, Technician], day: dt.date,
                     when: dt.datetime) -> int | None:
    """The featured outlet's best technician for ``order`` as the board would rank them at ``when``."""
    choice = candidates_for(fetch_order(desk.user, order.pk), principal=desk, day=day, now=when)
    return next((c.technician_id for c in choice.ranking.candidates if c.technician_id in techs), None)


def _dispatch(order: WorkOrder, desk, techs: dict[int, Technician], day: dt.date, now: dt.datetime,
              skip: int | None = None) -> bool:
    """The dispatcher's click: the best candidate of the featured outlet, through the product's own path.

    The seeding leaves each technician the last job of their capacity free, so the jobs it leaves in the queue
    have someone to go to on any weekday (on a Monday the outlet may have one purifier technician on shift); and
    it gives nothing more to ``skip``, the technician kept for a queued job."""
    order = fetch_order(desk.user, order.pk)
    choice = candidates_for(order, principal=desk, day=day, now=now)
    best = next((c for c in choice.ranking.candidates
                 if c.technician_id in techs and c.technician_id != skip and c.load + 1 < c.capacity), None)
    if best is None:
        return False
    services.assign(order=order, technician=techs[best.technician_id], actor=desk, version=order.version, day=day,
                    now=now)
    return True

