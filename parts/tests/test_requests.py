"""Part requests: the technician asks the store, the outlet transfers to the van or refuses; reservations hold."""

from __future__ import annotations

import pytest

from accounts.principal import principal_of
from core.errors import IllegalTransition, InvalidInput, PermissionDenied, StaleVersion
from parts import selectors, services
from parts.choices import MoveKind, RequestStatus
from parts.errors import AlreadyDecided, InsufficientStock, NoWarehouse
from parts.models import PartEvent, PartRequest
from parts.services import Line
from parts.tests.helpers import assert_consistent, level, snapshot
from workorders import workflow
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(stock):
    return make_order(stock, status=Status.ACCEPTED)


def ask(w, order, *lines, note=""):
    return services.request_parts(order=order, actor=principal_of(w.tech_a.user), lines=list(lines), note=note)


def test_a_request_reserves_its_lines_at_the_store(stock, order):
    w = stock
    request = ask(w, order, Line(w.pump, 2), Line(w.board, 1), note="泵有异响")
    assert request.status == RequestStatus.OPEN
    assert (request.store, request.van, request.technician, request.outlet) == (w.store_a, w.van_a, w.tech_a,
                                                                                w.outlet_a)
    assert [(line.part, line.quantity) for line in request.lines.all()] == [(w.pump, 2), (w.board, 1)]
    assert level(w.store_a, w.pump) == (20, 2, 0)
    assert level(w.store_a, w.board) == (5, 1, 0)
    assert selectors.available(w.store_a, w.pump) == 18
    assert set(request.moves.values_list("kind", flat=True)) == {MoveKind.RESERVE}
    assert_consistent()


def test_transfer_moves_every_line_to_the_van_and_the_technician_sees_it_arrive(stock, order):
    w = stock
    request = ask(w, order, Line(w.pump, 2), Line(w.board, 1))
    done = services.transfer_request(request=request, actor=principal_of(w.desk_a))
    assert (done.status, done.decided_by, done.version) == (RequestStatus.TRANSFERRED, w.desk_a, 2)
    assert level(w.store_a, w.pump) == (18, 0, 0)
    assert level(w.store_a, w.board) == (4, 0, 0)
    assert level(w.van_a, w.pump) == (8, 0, 0)
    assert level(w.van_a, w.board) == (1, 0, 0)
    kinds = sorted(request.moves.values_list("kind", "warehouse_id"))
    assert kinds == sorted([(MoveKind.RESERVE, w.store_a.pk)] * 2 + [(MoveKind.TRANSFER_OUT, w.store_a.pk)] * 2
                           + [(MoveKind.TRANSFER_IN, w.van_a.pk)] * 2)
    out = request.moves.get(kind=MoveKind.TRANSFER_OUT, part=w.pump)
    assert (out.on_hand_delta, out.reserved_delta, out.work_order) == (-2, -2, order)
    mine = selectors.requests(w.tech_a.user, status=RequestStatus.TRANSFERRED)
    assert list(mine) == [done]
    van = {b.part: b.available for b in selectors.stock(w.tech_a.user, selectors.my_van(w.tech_a.user))}
    assert van[w.pump] == 8 and van[w.board] == 1
    assert_consistent()


def test_a_request_the_store_cannot_cover_is_refused_whole(stock, order):
    w = stock
    before = snapshot()
    with pytest.raises(InsufficientStock) as refused:
        ask(w, order, Line(w.pump, 2), Line(w.board, 6))
    assert refused.value.detail["part_id"] == w.board.pk and refused.value.detail["available"] == 5
    assert snapshot() == before
    # Reserved units are not free for the next request.
    ask(w, order, Line(w.board, 4))
    with pytest.raises(InsufficientStock) as refused:
        ask(w, order, Line(w.board, 2))
    assert refused.value.detail["available"] == 1


def test_refusing_needs_a_reason_and_releases_the_reservation(stock, order):
    w = stock
    request = ask(w, order, Line(w.pump, 3))
    before = snapshot()
    with pytest.raises(InvalidInput) as refused:
        services.refuse_request(request=request, actor=principal_of(w.manager_a), reason=" ")
    assert refused.value.field == "reason"
    assert snapshot() == before
    done = services.refuse_request(request=request, actor=principal_of(w.manager_a), reason="请先退回旧泵")
    assert (done.status, done.decision_reason) == (RequestStatus.REFUSED, "请先退回旧泵")
    assert level(w.store_a, w.pump) == (20, 0, 0)
    assert_consistent()


def test_the_technician_may_cancel_their_own_open_request(stock, order):
    w = stock
    request = ask(w, order, Line(w.filter, 5))
    with pytest.raises(PermissionDenied):
        services.cancel_request(request=request, actor=principal_of(w.tech_a2.user))
    done = services.cancel_request(request=request, actor=principal_of(w.tech_a.user), reason="fixed without")
    assert done.status == RequestStatus.CANCELLED
    assert level(w.store_a, w.filter) == (30, 0, 0)


def test_a_decided_request_cannot_be_decided_again(stock, order):
    w = stock
    request = ask(w, order, Line(w.pump, 1))
    stale = PartRequest.objects.get(pk=request.pk)
    services.transfer_request(request=request, actor=principal_of(w.desk_a))
    before = snapshot()
    for act in (lambda: services.transfer_request(request=stale, actor=principal_of(w.manager_a)),
                lambda: services.refuse_request(request=stale, actor=principal_of(w.manager_a), reason="no"),
                lambda: services.cancel_request(request=stale, actor=principal_of(w.tech_a.user)),
                lambda: services.transfer_request(request=PartRequest.objects.get(pk=request.pk),
                                                  actor=principal_of(w.clerk))):
        with pytest.raises(AlreadyDecided) as refused:
            act()
        assert refused.value.status == 409
    assert snapshot() == before


def test_a_stale_version_is_refused(stock, order):
    w = stock
    request = ask(w, order, Line(w.pump, 1))
    before = snapshot()
    with pytest.raises(StaleVersion):
        services.transfer_request(request=request, actor=principal_of(w.desk_a), version=request.version + 1)
    assert snapshot() == before


def test_who_may_decide(stock, order):
    w = stock
    request = ask(w, order, Line(w.pump, 1))
    before = snapshot()
    for user in (w.manager_b, w.dispatcher, w.hotline, w.tech_a.user, w.rival_dispatcher):
        with pytest.raises(PermissionDenied):
            services.transfer_request(request=request, actor=principal_of(user))
    assert snapshot() == before
    # The brand's parts clerk may, for any outlet of the brand.
    assert services.transfer_request(request=request, actor=principal_of(w.clerk)).status == RequestStatus.TRANSFERRED


def test_only_the_orders_technician_may_request_and_only_for_a_job_in_hand(stock):
    w = stock
    accepted = make_order(w, status=Status.ACCEPTED)
    before = snapshot()
    for user in (w.tech_a2.user, w.manager_a, w.clerk):
        with pytest.raises(PermissionDenied):
            services.request_parts(order=accepted, actor=principal_of(user), lines=[Line(w.pump, 1)])
    for status in (Status.ASSIGNED, Status.COMPLETED, Status.CANCELLED):
        order = make_order(w, status=status)
        with pytest.raises((IllegalTransition, PermissionDenied)):
            ask(w, order, Line(w.pump, 1))
    assert snapshot() == before
    on_hold = make_order(w, status=Status.ON_HOLD)  # waiting for parts: exactly when one asks
    assert ask(w, on_hold, Line(w.pump, 1)).status == RequestStatus.OPEN


def test_no_van_no_request(stock, order):
    w = stock
    w.van_a.is_active = False  # a closed van is no van
    w.van_a.save()
    before = snapshot()
    with pytest.raises(NoWarehouse) as refused:
        ask(w, order, Line(w.pump, 1))
    assert refused.value.code == "no_warehouse" and refused.value.status == 409
    assert snapshot() == before


def test_bad_lines_are_refused(stock, order):
    w = stock
    before = snapshot()
    for lines in ([], [Line(w.rival_part, 1)], [Line(w.pump, 0)], [Line(w.pump, -1)], [Line(w.pump, 1),
                                                                                        Line(w.pump, 1)]):
        with pytest.raises(InvalidInput) as refused:
            ask(w, order, *lines)
        assert refused.value.field == "lines"
    assert snapshot() == before


def test_an_order_that_ends_releases_its_open_requests(stock, order):
    w = stock
    sent = ask(w, order, Line(w.board, 1))
    services.transfer_request(request=sent, actor=principal_of(w.desk_a))
    waiting = [ask(w, order, Line(w.pump, 2)), ask(w, order, Line(w.filter, 4))]
    other = ask(w, make_order(w, status=Status.ACCEPTED), Line(w.pump, 1))
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.release_for_order(order=order, actor=principal_of(w.rival_dispatcher), reason="x")
    assert snapshot() == before
    released = services.release_for_order(order=order, actor=principal_of(w.dispatcher), reason="客户取消")
    assert [r.pk for r in released] == [r.pk for r in waiting]
    assert {r.status for r in released} == {RequestStatus.CANCELLED}
    assert PartRequest.objects.get(pk=sent.pk).status == RequestStatus.TRANSFERRED
    assert PartRequest.objects.get(pk=other.pk).status == RequestStatus.OPEN
    assert level(w.store_a, w.pump) == (20, 1, 0) and level(w.store_a, w.filter) == (30, 0, 0)
    assert_consistent()


@pytest.mark.parametrize(("action", "role_user"), [("cancel", "dispatcher"), ("recall", "desk_a"),
                                                   ("decline", "tech_a")])
def test_the_lifecycle_step_that_takes_the_job_away_releases_what_the_store_reserved(stock, action, role_user):
    w = stock
    status = Status.DISPATCHED if action == "decline" else Status.ACCEPTED
    order = make_order(w, status=status)
    waiting = ask(w, order, Line(w.pump, 2))
    assert level(w.store_a, w.pump) == (20, 2, 0)
    actor = getattr(w, role_user)
    workflow.transition(order, action, actor=principal_of(getattr(actor, "user", actor)), reason="客户改约")
    assert PartRequest.objects.get(pk=waiting.pk).status == RequestStatus.CANCELLED
    assert level(w.store_a, w.pump) == (20, 0, 0)
    assert_consistent()


def _events(request):
    return list(PartEvent.objects.filter(request=request).order_by("pk").values_list(
        "from_status", "to_status", "actor", "actor_role", "reason"))


def test_every_decision_on_a_request_writes_its_event(stock, order):
    # Given three open requests
    w = stock
    transferred, refused, cancelled = (ask(w, order, Line(w.pump, 1)) for _ in range(3))

    # When the desk transfers one and refuses one, and the technician cancels the third
    services.transfer_request(request=transferred, actor=principal_of(w.desk_a))
    services.refuse_request(request=refused, actor=principal_of(w.desk_a), reason="缺货")
    services.cancel_request(request=cancelled, actor=principal_of(w.tech_a.user))

    # Then each holds the step it took, who took it and why
    assert _events(transferred) == [("open", "transferred", w.desk_a.pk, "outlet_dispatcher", "")]
    assert _events(refused) == [("open", "refused", w.desk_a.pk, "outlet_dispatcher", "缺货")]
    assert _events(cancelled) == [("open", "cancelled", w.tech_a.user.pk, "technician", "")]
    # And they are scoped as their requests: the outlet and its technician see them, the other outlet does not
    event = PartEvent.objects.filter(request=refused).get()
    assert event.brand_id == w.brand.pk
    assert PartEvent.objects.visible_to(w.tech_a.user).filter(pk=event.pk).exists()
    assert not PartEvent.objects.visible_to(w.manager_b).filter(pk=event.pk).exists()

    # When a decided request is refused again, nothing is written
    before = snapshot()
    with pytest.raises(AlreadyDecided):
        services.refuse_request(request=PartRequest.objects.get(pk=transferred.pk), actor=principal_of(w.desk_a),
                                reason="again")
    assert snapshot() == before
