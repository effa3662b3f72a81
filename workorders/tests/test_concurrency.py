"""Concurrent transitions of one order from several threads: exactly one winner, a consistent timeline.

Runs on whichever database the suite runs on (SQLite file by default, PostgreSQL with DATABASE_URL);
.ci/run runs the suite on both.
"""

import pytest

from accounts.principal import principal_of
from conftest import build_world, race
from core.errors import DomainError
from workorders import services, workflow
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_competing_transitions_have_exactly_one_winner():
    world = build_world()
    order = make_order(world, status=Status.ASSIGNED)
    dispatcher = principal_of(world.dispatcher)
    manager = principal_of(world.manager_a)
    techs = [world.tech_a, world.tech_a2]

    # Every thread read the order before anyone wrote: all hold the same version.
    snapshots = [WorkOrder.objects.get(pk=order.pk) for _ in range(THREADS)]

    def attempt(i):
        fresh = snapshots[i]
        if i % 3 == 0:
            return workflow.transition(fresh, "cancel", actor=dispatcher, reason=f"thread {i}")
        if i % 3 == 1:
            return workflow.transition(fresh, "return_to_brand", actor=manager, reason=f"thread {i}")
        return workflow.transition(fresh, "dispatch", actor=dispatcher, technician=techs[i % 2])

    results = race(attempt, THREADS)
    winners = [r for r in results if isinstance(r, WorkOrder)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1, results
    assert len(losers) == THREADS - 1, results
    assert {type(e).__name__ for e in losers} == {"StaleVersion"}
    final = WorkOrder.objects.get(pk=order.pk)
    assert final.version == order.version + 1
    assert final.status == winners[0].status
    events = list(final.events.order_by("created_at", "pk"))
    assert len(events) == 3
    assert events[-1].from_status == Status.ASSIGNED and events[-1].to_status == final.status


@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_get_distinct_consecutive_numbers():
    world = build_world()
    hotline = principal_of(world.hotline)

    def create(i):
        return services.create_work_order(
            actor=hotline, customer=world.customer, type="repair", channel="hotline", symptom=f"t{i}"
        )

    results = race(create, THREADS)
    assert all(isinstance(r, WorkOrder) for r in results), results
    seqs = sorted(int(r.number.rsplit("-", 1)[1]) for r in results)
    assert seqs == list(range(seqs[0], seqs[0] + THREADS))
    assert WorkOrder.objects.count() == THREADS
