"""Reads of parts and stock, each through ``visible_to(user)`` (STYLE.md §5).

For the console, the API and the field app:
    warehouses(user, kind="") -> QuerySet[Warehouse]          every warehouse the user may see
    get_warehouse(user, pk) -> Warehouse                        Warehouse.DoesNotExist when not visible
    my_van(user) / my_store(user) -> Warehouse | None           a technician's own van, their outlet's store
    stock(user, warehouse, *, in_stock_only=False) -> list[StockBalance]   per part, with .available
    available(warehouse, part) -> int                           free units (on hand - reserved)
    moves(user, warehouse=None, *, part=None, order=None) -> QuerySet[StockMove]   newest first
    requests(user, *, status="", technician=None, order=None) -> QuerySet[PartRequest]  with lines
    get_request(user, pk) -> PartRequest
    consumptions(user, order) -> QuerySet[StockMove]            parts used on an order (consume moves)
    defective(user, *, status="owed", technician=None) -> QuerySet[DefectiveReturn]
    owed_by_technician(user) -> list[dict]                      per technician: lines and units still owed
"""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, QuerySet, Sum

from accounts.principal import principal_of
from catalog.models import Part
from parts.choices import DefectiveStatus, MoveKind, WarehouseKind
from parts.models import DefectiveReturn, PartRequest, PartRequestLine, StockBalance, StockMove, Warehouse

WAREHOUSE_RELATED = ("organisation", "technician")


def warehouses(user, kind: str = "") -> QuerySet[Warehouse]:
    qs = Warehouse.objects.visible_to(user).select_related(*WAREHOUSE_RELATED)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "organisation__code", "code")


def get_warehouse(user, pk) -> Warehouse:
    return Warehouse.objects.visible_to(user).select_related(*WAREHOUSE_RELATED).get(pk=pk)


def my_van(user) -> Warehouse | None:
    principal = principal_of(user)
    if principal is None or not principal.is_technician:
        return None
    return warehouses(user, WarehouseKind.VAN).filter(technician_id=principal.technician_id).first()


def my_store(user) -> Warehouse | None:
    principal = principal_of(user)
    if principal is None or principal.outlet_id is None:
        return None
    return warehouses(user, WarehouseKind.STORE).filter(organisation_id=principal.outlet_id).first()


def stock(user, warehouse: Warehouse, *, in_stock_only: bool = False) -> list[StockBalance]:
    qs = StockBalance.objects.visible_to(user).filter(warehouse=warehouse).select_related("part")
    if in_stock_only:
        qs = qs.filter(on_hand__gt=F("reserved"))
    return list(qs.order_by("part__code"))


def available(warehouse: Warehouse, part: Part) -> int:
    row = StockBalance.objects.filter(warehouse=warehouse, part=part).values("on_hand", "reserved").first()
    return row["on_hand"] - row["reserved"] if row else 0


def moves(user, warehouse: Warehouse | None = None, *, part: Part | None = None, order=None) -> QuerySet[StockMove]:
    qs = StockMove.objects.visible_to(user).select_related("part", "warehouse", "actor")
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    if part is not None:
        qs = qs.filter(part=part)
    if order is not None:
        qs = qs.filter(work_order=order)
    return qs.order_by("-created_at", "-pk")


def requests(user, *, status: str = "", technician=None, order=None) -> QuerySet[PartRequest]:
    qs = (PartRequest.objects.visible_to(user)
          .select_related("technician", "work_order", "store", "store__organisation", "van", "van__technician",
                          "decided_by")
          .prefetch_related(Prefetch("lines", queryset=PartRequestLine.objects.select_related("part"))))
    if status:
        qs = qs.filter(status=status)
    if technician is not None:
        qs = qs.filter(technician=technician)
    if order is not None:
        qs = qs.filter(work_order=order)
    return qs.order_by("-created_at", "-pk")


def get_request(user, pk) -> PartRequest:
    return requests(user).get(pk=pk)


def store_levels(request: PartRequest) -> dict[int, StockBalance]:
    """The store's balances of the request's parts, by part id (what the desk sees beside each line)."""
    part_ids = [line.part_id for line in request.lines.all()]
    return {b.part_id: b for b in StockBalance.objects.filter(warehouse_id=request.store_id, part_id__in=part_ids)}


def consumptions(user, order) -> QuerySet[StockMove]:
    return moves(user, order=order).filter(kind=MoveKind.CONSUME)


def defective(user, *, status: str = DefectiveStatus.OWED, technician=None) -> QuerySet[DefectiveReturn]:
    qs = DefectiveReturn.objects.visible_to(user).select_related("part", "technician", "work_order")
    if status:
        qs = qs.filter(status=status)
    if technician is not None:
        qs = qs.filter(technician=technician)
    return qs.order_by("technician__name", "created_at", "pk")


def owed_by_technician(user) -> list[dict]:
    """Defective parts still owed, per technician: {technician_id, technician, lines, units}."""
    rows = (defective(user).order_by().values("technician_id", "technician__name")
            .annotate(lines=Count("pk"), units=Sum("quantity")).order_by("technician__name"))
    return [{"technician_id": r["technician_id"], "technician": r["technician__name"], "lines": r["lines"],
             "units": r["units"]} for r in rows]
