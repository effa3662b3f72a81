"""Stock keeping: receipts, transfers, adjustments; who may do them; bad input refused with nothing written."""

from __future__ import annotations

import pytest

from accounts.principal import principal_of
from core.errors import InvalidInput, PermissionDenied
from parts import services
from parts.choices import Condition, MoveKind, WarehouseKind
from parts.errors import InsufficientStock
from parts.models import StockMove, Warehouse
from parts.services import Line
from parts.tests.helpers import assert_consistent, level, snapshot

pytestmark = pytest.mark.django_db


def test_the_stocked_world_is_consistent(stock):
    w = stock
    assert level(w.central, w.pump) == (474, 0, 0)
    assert level(w.store_a, w.pump) == (20, 0, 0)
    assert level(w.store_a, w.filter) == (30, 0, 0)
    assert level(w.van_a, w.pump) == (6, 0, 0)
    assert_consistent()


def test_warehouses_are_made_once_and_named_in_the_readers_language(stock):
    w = stock
    assert services.ensure_van(w.tech_a) == w.van_a
    assert services.ensure_store(w.outlet_a) == w.store_a
    assert services.ensure_central(w.brand) == w.central
    assert Warehouse.objects.filter(brand=w.brand).count() == 6
    assert (w.central.kind, w.store_a.kind, w.van_a.kind) == (WarehouseKind.CENTRAL, WarehouseKind.STORE,
                                                               WarehouseKind.VAN)
    assert w.van_a.organisation == w.outlet_a
    from django.utils import translation

    with translation.override("en"):
        assert str(w.van_a) == "Technician's van · tech_a"
    with translation.override("zh-hans"):
        assert str(w.store_a) == "网点备件库 · Outlet A"


def test_a_transfer_writes_a_pair_of_moves_naming_each_other(stock):
    w = stock
    clerk = principal_of(w.clerk)
    out, into = services.transfer_stock(source=w.central, target=w.store_b, lines=[Line(w.valve, 7)], actor=clerk,
                                        reason="monthly top-up")
    assert (out.kind, out.warehouse, out.counterpart, out.on_hand_delta) == (MoveKind.TRANSFER_OUT, w.central,
                                                                            w.store_b, -7)
    assert (into.kind, into.warehouse, into.counterpart, into.on_hand_delta) == (MoveKind.TRANSFER_IN, w.store_b,
                                                                                w.central, 7)
    assert out.batch == into.batch and out.reason == "monthly top-up" and out.actor == w.clerk
    assert level(w.store_b, w.valve) == (7, 0, 0)
    assert_consistent()


def test_a_transfer_is_all_lines_or_none(stock):
    w = stock
    before = snapshot()
    with pytest.raises(InsufficientStock) as refused:
        services.transfer_stock(source=w.store_a, target=w.van_a2, actor=principal_of(w.manager_a),
                                lines=[Line(w.pump, 2), Line(w.board, 6)])
    assert refused.value.status == 409 and refused.value.code == "insufficient_stock"
    assert refused.value.detail == {"part_id": w.board.pk, "warehouse_id": w.store_a.pk, "requested": 6,
                                    "available": 5}
    assert snapshot() == before


def test_the_outlet_desk_keeps_its_own_store_and_vans_only(stock):
    w = stock
    desk = principal_of(w.desk_a)
    services.transfer_stock(source=w.store_a, target=w.van_a2, lines=[Line(w.filter, 3)], actor=desk)
    assert level(w.van_a2, w.filter) == (3, 0, 0)
    before = snapshot()
    for source, target in ((w.store_a, w.store_b), (w.store_b, w.van_a), (w.central, w.store_a)):
        with pytest.raises(PermissionDenied):
            services.transfer_stock(source=source, target=target, lines=[Line(w.filter, 1)], actor=desk)
    with pytest.raises(PermissionDenied):
        services.receive_stock(warehouse=w.store_b, part=w.pump, quantity=1, actor=principal_of(w.manager_a))
    # Write-offs are the manager's, not the dispatcher's.
    with pytest.raises(PermissionDenied):
        services.adjust_stock(warehouse=w.store_a, part=w.pump, delta=-1, reason="broken", actor=desk)
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["dispatcher", "hotline", "analyst", "tech_a"])
def test_roles_that_keep_no_stock_are_refused(stock, persona):
    w = stock
    user = w.tech_a.user if persona == "tech_a" else getattr(w, persona)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.receive_stock(warehouse=w.van_a, part=w.pump, quantity=1, actor=principal_of(user))
    with pytest.raises(PermissionDenied):
        services.transfer_stock(source=w.store_a, target=w.van_a, lines=[Line(w.pump, 1)], actor=principal_of(user))
    assert snapshot() == before


def test_the_rival_brands_clerk_reaches_nothing_of_ours(stock):
    w = stock
    rival_clerk = principal_of(w.rival_central.moves.first().actor)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.receive_stock(warehouse=w.central, part=w.rival_part, quantity=1, actor=rival_clerk)
    with pytest.raises(PermissionDenied):
        services.transfer_stock(source=w.rival_central, target=w.store_a, lines=[Line(w.rival_part, 1)],
                                actor=rival_clerk)
    # Our clerk cannot send our part into the rival's warehouse, nor receive the rival's part into ours.
    clerk = principal_of(w.clerk)
    with pytest.raises(PermissionDenied):
        services.transfer_stock(source=w.central, target=w.rival_store, lines=[Line(w.pump, 1)], actor=clerk)
    with pytest.raises(InvalidInput) as refused:
        services.receive_stock(warehouse=w.central, part=w.rival_part, quantity=1, actor=clerk)
    assert refused.value.field == "part_id"
    assert snapshot() == before


@pytest.mark.parametrize("quantity", [0, -3, 10_001, True, 2.5, "4", None])
def test_bad_quantities_are_refused(stock, quantity):
    w = stock
    before = snapshot()
    with pytest.raises(InvalidInput) as refused:
        services.receive_stock(warehouse=w.central, part=w.pump, quantity=quantity, actor=principal_of(w.clerk))
    assert refused.value.field == "quantity"
    with pytest.raises(InvalidInput) as refused:
        services.transfer_stock(source=w.central, target=w.store_a, lines=[Line(w.pump, quantity)],
                                actor=principal_of(w.clerk))
    assert refused.value.field == "lines" and refused.value.detail["line"] == 0
    assert snapshot() == before


def test_bad_transfers_are_refused(stock):
    w = stock
    clerk = principal_of(w.clerk)
    before = snapshot()
    cases = [
        (dict(source=w.store_a, target=w.store_a, lines=[Line(w.pump, 1)]), "to_warehouse_id"),
        (dict(source=w.store_a, target=w.van_a, lines=[]), "lines"),
        (dict(source=w.store_a, target=w.van_a, lines=[Line(w.pump, 1), Line(w.pump, 2)]), "lines"),
        (dict(source=w.store_a, target=w.van_a, lines=[Line(w.rival_part, 1)]), "lines"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInput) as refused:
            services.transfer_stock(actor=clerk, **kwargs)
        assert refused.value.field == field
    w.van_a2.is_active = False
    w.van_a2.save()
    with pytest.raises(InvalidInput) as refused:
        services.transfer_stock(source=w.store_a, target=w.van_a2, lines=[Line(w.pump, 1)], actor=clerk)
    assert refused.value.field == "to_warehouse_id"
    assert snapshot() == before


def test_adjustments_need_a_reason_and_cannot_take_reserved_or_missing_units(stock):
    w = stock
    manager = principal_of(w.manager_a)
    before = snapshot()
    with pytest.raises(InvalidInput) as refused:
        services.adjust_stock(warehouse=w.store_a, part=w.pump, delta=-1, reason="  ", actor=manager)
    assert refused.value.field == "reason"
    with pytest.raises(InvalidInput) as refused:
        services.adjust_stock(warehouse=w.store_a, part=w.pump, delta=0, reason="count", actor=manager)
    assert refused.value.field == "delta"
    with pytest.raises(InsufficientStock):
        services.adjust_stock(warehouse=w.store_a, part=w.pump, delta=-21, reason="count", actor=manager)
    with pytest.raises(InsufficientStock):
        services.adjust_stock(warehouse=w.store_a, part=w.pump, delta=-1, reason="scrap", actor=manager,
                              condition=Condition.DEFECTIVE)
    assert snapshot() == before
    move = services.adjust_stock(warehouse=w.store_a, part=w.pump, delta=-2, reason="dropped in the yard",
                                 actor=manager)
    assert (move.kind, move.quantity, move.on_hand_delta, move.reason) == (MoveKind.ADJUST, 2, -2,
                                                                           "dropped in the yard")
    services.adjust_stock(warehouse=w.store_a, part=w.valve, delta=4, reason="found at count", actor=manager)
    assert level(w.store_a, w.pump) == (18, 0, 0)
    assert level(w.store_a, w.valve) == (4, 0, 0)
    assert_consistent()


def test_the_database_refuses_a_move_of_the_wrong_shape(stock):
    import uuid

    from django.db import IntegrityError, transaction

    w = stock
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMove.objects.create(warehouse=w.store_a, part=w.pump, kind=MoveKind.CONSUME, quantity=2,
                                 on_hand_delta=2, reserved_delta=0, defective_delta=0, batch=uuid.uuid4(),
                                 created_at=w.store_a.created_at)


def test_a_van_code_already_taken_falls_back_to_the_technicians_id(stock):
    from network.tests.factories import TechnicianFactory
    from parts.tests.factories import member

    w = stock
    newcomer = TechnicianFactory(outlet=w.outlet_a, name="新人", user=member(w.outlet_a, "technician", "newcomer"))
    Warehouse.objects.filter(pk=w.van_a2.pk).update(code="van-newcomer")
    van = services.ensure_van(newcomer)
    assert (van.code, van.technician, van.organisation) == (f"van-{newcomer.pk}", newcomer, w.outlet_a)
    assert services.ensure_van(newcomer) == van
    assert services.ensure_van(w.tech_a).code == "van-tech_a"
