"""Parts used on a job from the van (once per idempotency key), and the defective parts owed back."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.principal import principal_of
from core.errors import IdempotencyConflict, IllegalTransition, InvalidInput, PermissionDenied
from parts import selectors, services
from parts import workflow as parts_workflow
from parts.choices import DefectiveStatus, MoveKind
from parts.errors import AlreadyDecided, InsufficientStock
from parts.models import Consumption, DefectiveReturn, PartEvent
from parts.services import Line
from parts.tests.helpers import assert_consistent, level, snapshot
from workorders import workflow
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(stock):
    return make_order(stock, status=Status.ON_SITE)


def use(w, order, *lines, key="k-1", user=None):
    return services.consume_on_job(order=order, actor=principal_of(user or w.tech_a.user), lines=list(lines),
                                   idempotency_key=key)


def test_consumption_takes_from_the_van_and_owes_the_replaced_part(stock, order):
    w = stock
    used = use(w, order, Line(w.pump, 1), Line(w.filter, 2))
    assert used.replayed is False
    assert (used.work_order, used.van, used.technician, used.outlet) == (order, w.van_a, w.tech_a, w.outlet_a)
    assert level(w.van_a, w.pump) == (5, 0, 0)
    assert level(w.van_a, w.filter) == (8, 0, 0)
    assert sorted(used.moves.values_list("kind", "part_id", "on_hand_delta")) == sorted(
        [(MoveKind.CONSUME, w.pump.pk, -1), (MoveKind.CONSUME, w.filter.pk, -2)])
    # The old pump is owed back; the old filter cartridge is waste.
    owed = list(selectors.defective(w.tech_a.user))
    assert [(d.part, d.quantity, d.work_order, d.status) for d in owed] == [(w.pump, 1, order, DefectiveStatus.OWED)]
    used_on_order = sorted((m.part.pk, m.quantity) for m in selectors.consumptions(w.manager_a, order))
    assert used_on_order == sorted([(w.filter.pk, 2), (w.pump.pk, 1)])
    assert list(selectors.consumptions(w.manager_b, order)) == []
    assert_consistent()


def test_a_line_may_say_whether_the_old_part_comes_back(stock, order):
    w = stock
    use(w, order, Line(w.pump, 1, return_defective=False), Line(w.filter, 1, return_defective=True))
    assert [d.part for d in DefectiveReturn.objects.all()] == [w.filter]


def test_a_retry_with_the_same_key_applies_once_even_after_the_job_is_done(stock, order):
    w = stock
    first = use(w, order, Line(w.pump, 2), key="offline-7f3a")
    order = workflow.transition(order, "complete", actor=principal_of(w.tech_a.user))
    again = use(w, order, Line(w.pump, 2), key="offline-7f3a")
    assert again.pk == first.pk and again.replayed is True
    assert level(w.van_a, w.pump) == (4, 0, 0)
    assert Consumption.objects.count() == 1 and DefectiveReturn.objects.count() == 1
    # The same key with something else in it is a client bug, not a retry.
    before = snapshot()
    with pytest.raises(IdempotencyConflict) as refused:
        use(w, order, Line(w.pump, 3), key="offline-7f3a")
    assert refused.value.code == "idempotency_key_reused"
    assert snapshot() == before


def test_more_than_on_hand_is_refused_cleanly(stock, order):
    w = stock
    before = snapshot()
    with pytest.raises(InsufficientStock) as refused:
        use(w, order, Line(w.filter, 1), Line(w.pump, 7))
    assert (refused.value.code, refused.value.status) == ("insufficient_stock", 409)
    assert refused.value.detail == {"part_id": w.pump.pk, "warehouse_id": w.van_a.pk, "requested": 7,
                                    "available": 6}
    assert snapshot() == before
    # Nothing was written, so the same key is free to be used for what is really there.
    assert use(w, order, Line(w.pump, 6)).replayed is False
    assert level(w.van_a, w.pump) == (0, 0, 0)


def test_parts_not_in_the_van_cannot_be_used(stock, order):
    w = stock
    before = snapshot()
    with pytest.raises(InsufficientStock) as refused:
        use(w, order, Line(w.valve, 1))  # there is valve stock in the central warehouse, none in the van
    assert refused.value.detail["available"] == 0
    assert snapshot() == before


def test_only_the_orders_technician_and_only_while_the_job_is_in_progress(stock, order):
    w = stock
    before = snapshot()
    for user in (w.tech_a2.user, w.manager_a, w.clerk, w.dispatcher):
        with pytest.raises(PermissionDenied):
            use(w, order, Line(w.pump, 1), user=user)
    for status in (Status.ASSIGNED, Status.ON_HOLD, Status.COMPLETED, Status.CLOSED, Status.CANCELLED):
        other = make_order(w, status=status)
        with pytest.raises((IllegalTransition, PermissionDenied)):
            use(w, other, Line(w.pump, 1), key=f"k-{status}")
    assert snapshot() == before
    for status in (Status.DISPATCHED, Status.ACCEPTED, Status.EN_ROUTE):
        assert use(w, make_order(w, status=status), Line(w.filter, 1), key=f"k-{status}").replayed is False


@pytest.mark.parametrize("key", ["", "   ", "x" * 129, None])
def test_the_idempotency_key_is_required(stock, order, key):
    w = stock
    before = snapshot()
    with pytest.raises(InvalidInput) as refused:
        use(w, order, Line(w.pump, 1), key=key)
    assert refused.value.field == "idempotency_key"
    assert snapshot() == before


def test_receiving_the_defective_part_closes_it_into_the_stores_defective_stock(stock, order):
    w = stock
    use(w, order, Line(w.pump, 2))
    owed = DefectiveReturn.objects.get()
    assert selectors.owed_by_technician(w.manager_a) == [
        {"technician_id": w.tech_a.pk, "technician": "tech_a", "lines": 1, "units": 2}]
    assert selectors.owed_by_technician(w.manager_b) == []
    before = snapshot()
    for user in (w.manager_b, w.tech_a.user, w.dispatcher):
        with pytest.raises(PermissionDenied):
            services.receive_defective(defective=owed, actor=principal_of(user))
    assert snapshot() == before
    done = services.receive_defective(defective=owed, actor=principal_of(w.desk_a))
    assert (done.status, done.received_by) == (DefectiveStatus.RECEIVED, w.desk_a)
    assert (done.received_move.kind, done.received_move.warehouse) == (MoveKind.RETURN_DEFECTIVE, w.store_a)
    # Kept apart: the store's good pumps are as they were, the returned one is counted as defective.
    assert level(w.store_a, w.pump) == (20, 0, 2)
    assert selectors.available(w.store_a, w.pump) == 20
    assert list(selectors.defective(w.tech_a.user)) == []
    assert selectors.owed_by_technician(w.manager_a) == []
    before = snapshot()
    with pytest.raises(AlreadyDecided):
        services.receive_defective(defective=DefectiveReturn.objects.get(pk=owed.pk), actor=principal_of(w.clerk))
    assert snapshot() == before
    assert_consistent()


def test_receiving_the_defective_part_goes_through_the_workflow_and_writes_its_event(stock, order):
    # Given a replaced pump the technician owes
    w = stock
    use(w, order, Line(w.pump, 2))
    owed = DefectiveReturn.objects.get()

    # When the outlet's desk receives it
    services.receive_defective(defective=owed, actor=principal_of(w.desk_a))

    # Then the step is on record, scoped as the part owed is
    event = PartEvent.objects.get(defective=owed)
    assert (event.from_status, event.to_status, event.actor, event.actor_role) == (
        DefectiveStatus.OWED, DefectiveStatus.RECEIVED, w.desk_a, "outlet_dispatcher")
    assert (event.brand_id, event.outlet_id, event.technician_id, event.request_id) == (
        w.brand.pk, w.outlet_a.pk, w.tech_a.pk, None)
    assert PartEvent.objects.visible_to(w.tech_a.user).filter(pk=event.pk).exists()
    assert not PartEvent.objects.visible_to(w.manager_b).filter(pk=event.pk).exists()

    # And the workflow refuses a second receipt, writing nothing
    received = DefectiveReturn.objects.get(pk=owed.pk)
    before = snapshot()
    with pytest.raises(AlreadyDecided), transaction.atomic():
        parts_workflow.transition_defective(received, DefectiveStatus.RECEIVED, actor=principal_of(w.desk_a),
                                            move=received.received_move)
    assert snapshot() == before
