"""Several callers booking the last free unit of a window at once: exactly one order, on SQLite and PostgreSQL.

Runs on whichever database the suite runs on (SQLite file by default, PostgreSQL with DATABASE_URL).
"""

from __future__ import annotations

import pytest

from accounts.principal import principal_of
from conftest import build_world, race
from dispatch.selectors import offer_slots
from workorders import intake
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.tests.intake_setup import only_outlet_a_with_one_job_per_window, prepare_intake

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_the_last_free_unit_make_exactly_one_order():
    world = prepare_intake(build_world())
    only_outlet_a_with_one_job_per_window(world)
    slot = offer_slots(product=world.product, service_type="repair")[0]
    assert slot.free == 1
    hotline = principal_of(world.hotline)

    def book(i):
        return intake.submit_request(
            actor=hotline, customer=world.customer, product=world.product, service_type="repair",
            channel="hotline", description=f"caller {i}", slot=(slot.start, slot.end),
        )

    results = race(book, THREADS)

    winners = [r for r in results if isinstance(r, WorkOrder)]
    losers = [r for r in results if not isinstance(r, WorkOrder)]
    assert len(winners) == 1, results
    assert all(isinstance(r, intake.SlotUnavailable) for r in losers), results
    assert WorkOrder.objects.count() == 1
    booked = WorkOrder.objects.get()
    assert (booked.slot_start, booked.outlet_id) == (slot.start, world.outlet_a.pk)
    assert WorkOrderEvent.objects.filter(work_order=booked).count() == 2  # created, assigned
    assert (slot.start, slot.end) not in [(s.start, s.end) for s in offer_slots(product=world.product,
                                                                                 service_type="repair")]


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_a_window_with_room_for_two_make_two_orders():
    world = prepare_intake(build_world())
    world.region.outlets.remove(world.outlet_b)  # outlet A: tech_a and tech_a2, one job each per window
    slot = offer_slots(product=world.product, service_type="repair")[0]
    assert slot.free == 2
    hotline = principal_of(world.hotline)

    def book(i):
        return intake.submit_request(actor=hotline, customer=world.customer, product=world.product,
                                     service_type="repair", channel="hotline", slot=(slot.start, slot.end))

    results = race(book, THREADS)

    assert sum(isinstance(r, WorkOrder) for r in results) == 2, results
    assert sum(isinstance(r, intake.SlotUnavailable) for r in results) == THREADS - 2, results
    assert WorkOrder.objects.filter(slot_start=slot.start, outlet=world.outlet_a).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_a_window_only_one_technician_can_reach_make_one_order():
    """The slot maths counts two technicians, but tech_a2 lives 150 km away and cannot reach the window: one
    caller gets it, the others are refused (the technicians' reach is checked again under the outlet's lock)."""
    from dispatch.tests.scene import CENTRE, east

    world = prepare_intake(build_world())
    world.region.outlets.remove(world.outlet_b)
    for outlet in (world.outlet_a,):
        outlet.latitude, outlet.longitude = CENTRE
        outlet.save(update_fields=["latitude", "longitude"])
    site = world.product.site
    site.latitude, site.longitude = (f"{v:.6f}" for v in east(2))
    site.save(update_fields=["latitude", "longitude"])
    world.tech_a.home_latitude, world.tech_a.home_longitude = CENTRE
    world.tech_a.save(update_fields=["home_latitude", "home_longitude"])
    world.tech_a2.home_latitude, world.tech_a2.home_longitude = (f"{v:.6f}" for v in east(150))
    world.tech_a2.save(update_fields=["home_latitude", "home_longitude"])
    slot = offer_slots(product=world.product, service_type="repair")[0]
    assert slot.free == 2  # by the numbers
    hotline = principal_of(world.hotline)

    def book(i):
        return intake.submit_request(actor=hotline, customer=world.customer, product=world.product,
                                     service_type="repair", channel="hotline", slot=(slot.start, slot.end))

    results = race(book, THREADS)

    assert sum(isinstance(r, WorkOrder) for r in results) == 1, results
    assert sum(isinstance(r, intake.SlotUnavailable) for r in results) == THREADS - 1, results
    assert WorkOrder.objects.filter(slot_start=slot.start).count() == 1
