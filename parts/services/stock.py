"""Stock keeping by the brand's parts desk and the outlets: warehouses, receipts, transfers, adjustments."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrgKind
from accounts.models import Organisation
from accounts.principal import Principal
from catalog.models import Part
from core.errors import InvalidInput
from network.models import Technician
from parts import ledger
from parts.choices import Condition, WarehouseKind
from parts.models import StockMove, Warehouse
from parts.services.common import (
    ADJUSTERS,
    Line,
    check_lines,
    check_part,
    check_quantity,
    check_reason,
    ensure_active,
    ensure_keeper,
)


def _get_or_make(lookup: dict, defaults: dict, fallback_code: str) -> Warehouse:
    for code in (defaults["code"], fallback_code):
        try:
            with transaction.atomic():
                return Warehouse.objects.get_or_create(**lookup, defaults={**defaults, "code": code})[0]
        except IntegrityError:
            # A concurrent maker won (then it exists now), or another warehouse has the code (then the next one).
            found = Warehouse.objects.filter(**lookup).first()
            if found is not None:
                return found
    raise IntegrityError(f"no free warehouse code for {lookup}")


def ensure_central(brand: Organisation) -> Warehouse:
    """The brand's central warehouse, made on first use."""
    assert brand.kind == OrgKind.BRAND
    return _get_or_make({"brand": brand, "kind": WarehouseKind.CENTRAL}, {"organisation": brand, "code": "central"},
                        f"central-{brand.pk}")


def ensure_store(outlet: Organisation) -> Warehouse:
    """The outlet's store, made on first use."""
    assert outlet.kind == OrgKind.OUTLET
    return _get_or_make({"organisation": outlet, "kind": WarehouseKind.STORE},
                        {"brand_id": outlet.brand_id, "code": slugify(f"store-{outlet.code}")[:40]},
                        f"store-{outlet.pk}")


def ensure_van(technician: Technician) -> Warehouse:
    """The technician's van, made on first use; its code is the technician's user name (the pk if that is taken)."""
    return _get_or_make({"technician": technician},
                        {"brand_id": technician.outlet.brand_id, "organisation_id": technician.outlet_id,
                         "kind": WarehouseKind.VAN, "code": slugify(f"van-{technician.user.username}")[:40]},
                        f"van-{technician.pk}")


def receive_stock(*, warehouse: Warehouse, part: Part, quantity: int, actor: Principal,
                  reason: str = "") -> StockMove:
    """Units arriving from outside the network (a supplier, the factory) into any warehouse one keeps."""
    ensure_keeper(actor, warehouse)
    ensure_active(warehouse, "warehouse_id")
    check_part(part, warehouse.brand_id)
    check_quantity(quantity)
    reason = check_reason(reason, required=False)
    with transaction.atomic():
        return ledger.post([ledger.receive(warehouse, part, quantity)], actor=actor, reason=reason)[0]


def transfer_stock(*, source: Warehouse, target: Warehouse, lines: Sequence[Line], actor: Principal,
                   reason: str = "") -> list[StockMove]:
    """Move free units (on hand, not reserved) out of ``source`` and into ``target``, all lines or none.

    Both warehouses must be kept by the actor: the parts desk moves between any of the brand's, an
    outlet's desk between its store and its vans.
    """
    ensure_keeper(actor, source)
    ensure_keeper(actor, target)
    if source.pk == target.pk:
        raise InvalidInput(_("Choose another warehouse to transfer to."), field="to_warehouse_id")
    if source.brand_id != target.brand_id:
        raise InvalidInput(_("Unknown id."), field="to_warehouse_id")
    ensure_active(source, "warehouse_id")
    ensure_active(target, "to_warehouse_id")
    lines = check_lines(lines, source.brand_id)
    reason = check_reason(reason, required=False)
    entries = [e for line in lines for e in ledger.transfer(source, target, line.part, line.quantity)]
    with transaction.atomic():
        return ledger.post(entries, actor=actor, reason=reason)


def adjust_stock(*, warehouse: Warehouse, part: Part, delta: int, reason: str, actor: Principal,
                 condition: str = Condition.GOOD) -> StockMove:
    """Correct a balance after a count, a breakage or a write-off: ``delta`` units up or down, with a reason.

    A negative adjustment of good stock may take only free units (reserved ones belong to a request).
    """
    ensure_keeper(actor, warehouse, roles=ADJUSTERS)
    ensure_active(warehouse, "warehouse_id")
    check_part(part, warehouse.brand_id)
    if condition not in Condition.values:
        raise InvalidInput(_("Choose a valid option."), field="condition", allowed=list(Condition.values))
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise InvalidInput(_("Give a whole number of units other than zero."), field="delta")
    check_quantity(abs(delta), field="delta")
    reason = check_reason(reason, required=True)
    with transaction.atomic():
        return ledger.post([ledger.adjust(warehouse, part, delta, condition)], actor=actor, reason=reason)[0]
