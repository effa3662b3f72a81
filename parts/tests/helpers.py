"""Assertions every parts test shares: the ledger sums to the balances, and a snapshot of all stock tables."""

from __future__ import annotations

from django.db.models import Sum

from parts.models import Consumption, DefectiveReturn, PartEvent, PartRequest, StockBalance, StockMove


def ledger_sums() -> dict[tuple[int, int], tuple[int, int, int]]:
    rows = StockMove.objects.values("warehouse_id", "part_id").annotate(
        h=Sum("on_hand_delta"), r=Sum("reserved_delta"), d=Sum("defective_delta")).order_by()
    return {(r["warehouse_id"], r["part_id"]): (r["h"], r["r"], r["d"]) for r in rows}


def balances() -> dict[tuple[int, int], tuple[int, int, int]]:
    return {(b.warehouse_id, b.part_id): (b.on_hand, b.reserved, b.defective) for b in StockBalance.objects.all()}


def assert_consistent() -> None:
    """Every balance is the sum of its ledger, and sound: nothing negative, no more reserved than on hand."""
    sums, held = ledger_sums(), balances()
    assert held == sums
    for on_hand, reserved, defective in held.values():
        assert on_hand >= 0 and reserved >= 0 and defective >= 0
        assert reserved <= on_hand


def snapshot() -> tuple:
    return (
        sorted(balances().items()),
        StockMove.objects.count(),
        list(PartRequest.objects.order_by("pk").values_list("pk", "status", "version")),
        Consumption.objects.count(),
        list(DefectiveReturn.objects.order_by("pk").values_list("pk", "status")),
        PartEvent.objects.count(),
    )


def level(warehouse, part) -> tuple[int, int, int]:
    b = StockBalance.objects.filter(warehouse=warehouse, part=part).first()
    return (b.on_hand, b.reserved, b.defective) if b else (0, 0, 0)
