"""What the parts services share: who may keep which warehouse, and how lines of parts are checked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.principal import Principal
from catalog.models import Part
from core.errors import InvalidInput, PermissionDenied
from parts.models import REASON_MAX, Warehouse

# Brand-side stock keeping: the parts clerk, and the brand admin who can do everything.
STOCK_DESK = frozenset({Role.PARTS_CLERK, Role.BRAND_ADMIN})
OUTLET_DESK = frozenset({Role.OUTLET_MANAGER, Role.OUTLET_DISPATCHER})
# Write-offs and corrections are a manager's call at an outlet.
ADJUSTERS = STOCK_DESK | {Role.OUTLET_MANAGER}
MAX_QUANTITY = 10_000
MAX_LINES = 50


@dataclass(frozen=True)
class Line:
    """A part and a number of units. ``return_defective`` (consumption only): is the replaced part owed back?
    None means the part family decides (parts.choices.NOT_RETURNED_FAMILIES)."""

    part: Part
    quantity: int
    return_defective: bool | None = None


def may_keep(actor: Principal, warehouse: Warehouse, roles: frozenset[str] = STOCK_DESK | OUTLET_DESK) -> bool:
    """The brand's stock desk keeps every warehouse of the brand; an outlet's desk its store and vans."""
    if actor.role not in roles:
        return False
    if actor.role in STOCK_DESK:
        return warehouse.brand_id == actor.brand_id
    return actor.outlet_id is not None and warehouse.organisation_id == actor.outlet_id


def ensure_keeper(actor: Principal, *warehouses: Warehouse, roles: frozenset[str] = STOCK_DESK | OUTLET_DESK) -> None:
    for warehouse in warehouses:
        if not may_keep(actor, warehouse, roles):
            raise PermissionDenied(_("Your role may not move stock in this warehouse."))


def ensure_active(warehouse: Warehouse, field: str) -> None:
    if not warehouse.is_active:
        raise InvalidInput(_("This warehouse is closed."), field=field)


def check_quantity(value: object, field: str = "quantity") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(_("Give a whole number of units."), field=field)
    if value < 1:
        raise InvalidInput(_("Give at least one unit."), field=field)
    if value > MAX_QUANTITY:
        raise InvalidInput(_("That is more units than one move may carry."), field=field, max=MAX_QUANTITY)
    return value


def check_part(part: Part, brand_id: int, field: str = "part_id") -> Part:
    if part.brand_id != brand_id or not part.is_active:
        raise InvalidInput(_("Unknown part."), field=field)
    return part


def check_lines(lines: Sequence[Line], brand_id: int) -> list[Line]:
    """Every line a known part of the brand and a sensible quantity; each part once."""
    lines = list(lines)
    if not lines:
        raise InvalidInput(_("List at least one part."), field="lines")
    if len(lines) > MAX_LINES:
        raise InvalidInput(_("Too many lines at once."), field="lines", max=MAX_LINES)
    seen: set[int] = set()
    for i, line in enumerate(lines):
        try:
            check_part(line.part, brand_id, field="lines")
            check_quantity(line.quantity, field="lines")
        except InvalidInput as error:
            error.detail["line"] = i
            raise
        if line.part.pk in seen:
            raise InvalidInput(_("List each part once."), field="lines", line=i)
        seen.add(line.part.pk)
    return lines


def check_reason(reason: str, *, required: bool, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput(_("Give a reason."), field=field)
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("The reason is too long."), field=field, max_length=REASON_MAX)
    return reason
