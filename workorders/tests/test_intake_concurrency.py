"""Several callers booking the last free unit of a window at once: exactly one order, on SQLite and PostgreSQL.

Runs on whichever database the suite runs on (SQLite file by default, PostgreSQL with DATABASE_URL).
"""

from __future__ import annotations

import pytest

from accounts.principal import principal_of
from conftest import build_world
from dispatch.selectors import offer_slots
from workorders import intake
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.tests.intake_setup import only_outlet_a_with_one_job_per_window, prepare_intake
from workorders.tests.test_concurrency import run_threads

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

    results = run_threads(book, n=THREADS)

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

    results = run_threads(book, n=THREADS)

    assert sum(isinstance(r, WorkOrder) for r in results) == 2, results
    assert sum(isinstance(r, intake.SlotUnavailable) for r in results) == THREADS - 2, results
    assert WorkOrder.objects.filter(slot_start=slot.start, outlet=world.outlet_a).count() == 2
