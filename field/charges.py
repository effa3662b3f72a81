"""What the visit costs the customer: always the warranty and pricing engine (pricing.services.estimate).

At completion the charge is priced once more from the parts really used and the diagnosed symptom, and
frozen on the visit. Before that, the phone must show the customer a charge even in a basement without a
connection, so the job page carries a *price sheet* the engine computed when the page was loaded: per
symptom the customer might be diagnosed with, the lines without parts (labour, call-out, adjustments)
and each van part's line for one unit. Labour, call-out and every part's line are judged on their own
by the engine, so the phone's sum of those lines is the engine's total; only an adjustment on parts
(a percentage or a fixed amount on what the customer pays for parts) depends on the mix, and a sheet
where one applies says so (``exact`` is false: the phone marks its total as provisional).

The order's own time prices the visit (``at=order.created_at``): the price list and the warranty day the
customer was quoted at intake, not the day the technician happened to come.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from catalog.models import Symptom
from core.errors import DomainError, InvalidInput
from pricing.engine import Quote
from pricing.errors import PriceNotListed
from pricing.services import estimate
from workorders.models import WorkOrder

MAX_RETRIES = 30
NO_PRODUCT = _("The order names no product, so the engine cannot price it; the desk settles the charge.")


def effective_symptom_code(order: WorkOrder, symptom: Symptom | None) -> str:
    chosen = symptom or order.reported_symptom
    return chosen.code if chosen is not None else ""


def price(order: WorkOrder, *, symptom_code: str, parts: Iterable[tuple[str, int]]) -> Quote:
    """The engine's quote for this order with these parts (codes and quantities)."""
    if order.product_id is None:
        raise InvalidInput(NO_PRODUCT, field="product")
    return estimate(product=order.product, service_type=order.type, symptom_code=symptom_code,
                    parts=list(parts), at=order.created_at, outlet=order.outlet)


def _line(line) -> dict[str, Any]:
    return {"kind": str(line.kind), "code": line.code, "description": str(line.description),
            "unit_price": str(line.unit_price), "quantity": line.quantity, "gross": str(line.gross),
            "covered": line.covered, "reason": str(line.reason), "customer_pays": str(line.customer_pays),
            "state": str(line.state)}


def _priceable_quote(order: WorkOrder, symptom_code: str, codes: list[str]) -> tuple[Quote, list[str]]:
    """Quote every part in ``codes`` once; parts the list cannot price (or that do not fit) are left out."""
    codes = list(codes)
    for _attempt in range(MAX_RETRIES):
        try:
            return price(order, symptom_code=symptom_code, parts=[(c, 1) for c in codes]), codes
        except (PriceNotListed, InvalidInput) as error:
            part = error.detail.get("part")
            if part is None or part not in codes or isinstance(error, InvalidInput) and error.field != "parts":
                raise
            codes.remove(part)
    raise PriceNotListed()


def price_sheet(order: WorkOrder, *, part_codes: Iterable[str]) -> dict[str, Any]:
    """The sheet described above, keyed by symptom code (\"\" when the order has no symptom at all)."""
    if order.product_id is None:
        return {"available": False, "reason": str(NO_PRODUCT), "symptoms": {}}
    category_id = order.product.product_model.category_id
    symptoms = [s.code for s in Symptom.objects.filter(category_id=category_id, is_active=True)]
    if order.reported_symptom_id is None:
        symptoms.insert(0, "")
    part_codes = sorted(set(part_codes))
    sheet: dict[str, Any] = {}
    try:
        for code in symptoms:
            base = price(order, symptom_code=code, parts=[])
            full, priced = _priceable_quote(order, code, part_codes)
            adjustments = [(ln.code, ln.customer_pays) for ln in base.lines if ln.kind == "adjustment"]
            exact = adjustments == [(ln.code, ln.customer_pays) for ln in full.lines if ln.kind == "adjustment"]
            sheet[code] = {
                "base": [_line(ln) for ln in base.lines],
                "parts": {ln.code: _line(ln) for ln in full.lines if ln.kind == "part" and ln.code in priced},
                "warranty": {"covered": base.warranty.covered, "reason": str(base.warranty.reason),
                             "until": base.warranty.until.isoformat() if base.warranty.until else None},
                "currency": base.currency,
                "exact": exact,
            }
    except DomainError as error:
        return {"available": False, "reason": str(error.message), "symptoms": {}}
    return {"available": True, "reason": "", "symptoms": sheet}
