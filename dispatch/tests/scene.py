"""The shared test world made ready for dispatch: places on a map, a working day, orders on it.

``dispatch_scene(world)`` adds to conftest.build_world (through workorders.tests.intake_setup): a repair
standard of 60 minutes needing the world's skill, homes for the three technicians (tech_a near the
centre of town, tech_a2 12 km out, tech_b at outlet B, a partner), Mon-Sat 08:30-17:30, and outlet
coordinates. ``DAY`` is a Wednesday at least two days ahead, so nothing of it is in the past.
``order_at`` makes an order through the real services at a point, with a slot on DAY, walked to a status.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.principal import principal_of
from core.dates import brand_tz
from customers.tests.factories import SiteFactory
from workorders import services, workflow
from workorders.choices import Channel, Status
from workorders.tests.intake_setup import prepare_intake

CENTRE = (30.2741, 120.1551)


def next_wednesday(start: dt.date | None = None) -> dt.date:
    day = (start or timezone.localdate()) + dt.timedelta(days=2)
    return day + dt.timedelta(days=(2 - day.weekday()) % 7)


DAY = next_wednesday()


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=brand_tz())


def east(km: float, of: tuple[float, float] = CENTRE) -> tuple[float, float]:
    """A point ``km`` east of ``of`` (about 96.2 km per degree of longitude at 30° N)."""
    return of[0], round(of[1] + km / 96.2, 6)


def north(km: float, of: tuple[float, float] = CENTRE) -> tuple[float, float]:
    return round(of[0] + km / 111.2, 6), of[1]


def dispatch_scene(world, day: dt.date = DAY):
    prepare_intake(world)
    world.day = day
    for outlet in (world.outlet_a, world.outlet_b):
        outlet.latitude, outlet.longitude = CENTRE
        outlet.save(update_fields=["latitude", "longitude"])
    for tech, home in ((world.tech_a, CENTRE), (world.tech_a2, east(12)), (world.tech_b, north(3))):
        tech.home_latitude, tech.home_longitude = home
        tech.save(update_fields=["home_latitude", "home_longitude"])
    return world


def order_at(world, where: tuple[float, float], *, slot: tuple[int, int] | None = (10, 12), status=Status.NEW,
             technician=None, outlet=None, day: dt.date | None = None, customer=None, product=None,
             type="repair"):
    """An order at ``where`` with its slot on the day, through the real services, walked to ``status``."""
    day = day or world.day
    customer = customer or world.customer
    product = product or (world.product if customer == world.customer else world.other_product)
    site = SiteFactory(customer=customer, region=world.region, latitude=f"{where[0]:.6f}",
                       longitude=f"{where[1]:.6f}")
    desk = principal_of(world.dispatcher)
    order = services.create_work_order(
        actor=desk, customer=customer, product=product, site=site, type=type, channel=Channel.HOTLINE,
        symptom="No water", slot_start=at(day, slot[0]) if slot else None, slot_end=at(day, slot[1]) if slot else None,
    )
    technician = technician or world.tech_a
    outlet = outlet or technician.outlet
    path = {Status.NEW: [], Status.ASSIGNED: ["assign"], Status.DISPATCHED: ["assign", "dispatch"],
            Status.ACCEPTED: ["assign", "dispatch", "accept"],
            Status.EN_ROUTE: ["assign", "dispatch", "accept", "depart"],
            Status.ON_SITE: ["assign", "dispatch", "accept", "depart", "arrive"]}[status]
    for step in path:
        if step == "assign":
            order = workflow.transition(order, "assign", actor=desk, outlet=outlet)
        elif step == "dispatch":
            order = workflow.transition(order, "dispatch", actor=desk, technician=technician)
        else:
            order = workflow.transition(order, step, actor=principal_of(technician.user))
    return order
