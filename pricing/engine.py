"""The warranty and pricing engine: plain data in, a priced breakdown out, no database.

Every channel (hotline, portal, WeChat) and later the technician app price through ``quote``;
``pricing.selectors.load_snapshot`` gathers its inputs and ``pricing.services.estimate`` wires the
two for callers that hold an installed product.

Money is Decimal, quantised to the cent with ROUND_HALF_UP. What the customer pays is never
negative: a covered line costs them nothing, and discounts stop at zero for what they discount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from catalog.choices import ServiceType
from core.errors import InvalidInput
from core.text import bilingual, render_lazy
from customers.choices import Segment
from pricing.choices import TARGET_KINDS, AdjustmentTarget, LineKind, LineState
from pricing.coverage import UNIT, CoverageContext, CoverageItem, CoverageVerdict, resolve, unit_verdict
from pricing.errors import BeyondCalloutBands, PriceNotListed
from pricing.facts import (
    AdjustmentFacts,
    CalloutBandFacts,
    PartUse,
    PriceListFacts,
    PriceSnapshot,
    ProductFacts,
    SymptomFacts,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# A mail-in repair comes to the repair centre by courier: nobody travels to the customer.
NO_CALLOUT_SERVICE_TYPES = frozenset({ServiceType.MAIL_IN})
CURRENCY_SYMBOLS = {"CNY": "¥"}

LABOUR_TEXT = _("Labour: %(service)s")
CALLOUT_TEXT = _("Call-out fee, %(distance)s km")
CALLOUT_APPROXIMATE_TEXT = _("Call-out fee, about %(distance)s km (the address is located only roughly)")
CALLOUT_TO_CONFIRM_TEXT = _("Call-out fee: to be confirmed (the address has not been located yet)")
ADJUSTMENT_TEXT = _("%(who)s: %(change)s on %(target)s")
ALL_CUSTOMERS = _("All customers")


def money(value: Decimal | int | str) -> Decimal:
    """A Decimal amount to the cent. Floats are refused: they cannot hold most cent amounts exactly."""
    if isinstance(value, float):
        raise TypeError("money amounts are Decimal, int or str, never float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class QuoteLine:
    kind: str  # a LineKind
    code: str  # the service type, "callout", the part code, or "adj-<id>"
    description: Any  # lazy text
    unit_price: Decimal
    quantity: int
    gross: Decimal  # unit price × quantity: what the line is worth, whoever pays
    covered: bool
    coverage: CoverageVerdict | None  # None for an adjustment line
    customer_pays: Decimal
    # A LineState. A line "to be confirmed" has no amount yet: its Decimals are zero so that sums hold,
    # but no channel may show them as a price (as_dict gives null, the pages "to be confirmed").
    state: str = LineState.PRICED

    @property
    def to_confirm(self) -> bool:
        return self.state == LineState.TO_CONFIRM

    @property
    def approximate(self) -> bool:
        return self.state == LineState.APPROXIMATE

    @property
    def reason_code(self) -> str:
        return self.coverage.code if self.coverage else ""

    @property
    def reason(self) -> Any:
        return self.coverage.reason if self.coverage else ""

    def as_dict(self) -> dict[str, Any]:
        unknown = self.to_confirm
        return {
            "kind": str(self.kind), "code": self.code, "description": str(self.description), "state": str(self.state),
            "unit_price": None if unknown else str(self.unit_price), "quantity": self.quantity,
            "gross": None if unknown else str(self.gross),
            "covered": self.covered, "reason_code": str(self.reason_code), "reason": str(self.reason),
            # A covered line costs the customer nothing whatever its amount turns out to be.
            "customer_pays": None if unknown and not self.covered else str(self.customer_pays),
        }


@dataclass(frozen=True)
class Quote:
    price_list: PriceListFacts
    on: dt.date
    service_type: str
    warranty: CoverageVerdict  # the unit's verdict for this service: the headline "covered or not"
    lines: tuple[QuoteLine, ...]
    distance_km: Decimal | None
    distance_approximate: bool  # the distance is from a point near the site (its district's centre)
    gross_total: Decimal  # sum of the lines' gross
    covered_total: Decimal  # sum of the covered lines' gross: what the warranty pays
    total: Decimal  # sum of what the customer pays, line by line

    @property
    def currency(self) -> str:
        return self.price_list.currency

    @property
    def complete(self) -> bool:
        """False when a line the customer may pay for is still to be confirmed: the total is then "from"."""
        return not any(line.to_confirm and not line.covered for line in self.lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "price_list": {"id": self.price_list.id, "name": self.price_list.name,
                           "valid_from": self.price_list.valid_from.isoformat(),
                           "valid_to": self.price_list.valid_to.isoformat() if self.price_list.valid_to else None},
            "on": self.on.isoformat(), "service_type": self.service_type, "currency": self.currency,
            "warranty": self.warranty.as_dict(),
            "distance_km": str(self.distance_km) if self.distance_km is not None else None,
            "distance_approximate": self.distance_approximate,
            "lines": [line.as_dict() for line in self.lines],
            "gross_total": str(self.gross_total), "covered_total": str(self.covered_total),
            "total": str(self.total), "total_complete": self.complete,
        }


def quote(
    snapshot: PriceSnapshot,
    *,
    product: ProductFacts,
    service_type: str,
    on: dt.date,
    symptom: SymptomFacts | None = None,
    parts: Sequence[PartUse] = (),
    distance_km: Decimal | None = None,
    distance_approximate: bool = False,
    segment: str = "",
    region_id: int | None = None,
) -> Quote:
    """Price one visit: labour, call-out, parts, each judged for coverage, then the list's adjustments.

    ``on`` is the order's day: the warranty is judged on it (the snapshot's list was chosen for it).
    Raises PriceNotListed / BeyondCalloutBands when the list cannot price the visit, and InvalidInput
    for an unknown service type, segment or part.
    """
    if service_type not in ServiceType.values:
        raise InvalidInput(_("Choose a valid option."), field="service_type", allowed=list(ServiceType.values))
    if segment and segment not in Segment.values:
        raise InvalidInput(_("Choose a valid option."), field="segment", allowed=list(Segment.values))
    context = CoverageContext(product=product, service_type=service_type, symptom=symptom, on=on)

    def priced(kind: str, code: str, description: Any, unit_price: Decimal, quantity: int,
               item: CoverageItem, state: str = LineState.PRICED) -> QuoteLine:
        verdict = resolve(snapshot.coverages, item, context)
        gross = money(unit_price) * quantity
        return QuoteLine(kind=kind, code=code, description=description, unit_price=money(unit_price),
                         quantity=quantity, gross=gross, covered=verdict.covered, coverage=verdict,
                         customer_pays=ZERO if verdict.covered else gross, state=state)

    labour_text = render_lazy(LABOUR_TEXT, {"service": ServiceType(service_type).label})
    lines = [priced(LineKind.LABOUR, service_type, labour_text, _labour_price(snapshot, product, service_type), 1,
                    UNIT)]
    if service_type not in NO_CALLOUT_SERVICE_TYPES and snapshot.callout_bands:
        amount, description, state = _callout(snapshot.callout_bands, distance_km, distance_approximate)
        lines.append(priced(LineKind.CALLOUT, "callout", description, amount, 1, CoverageItem(LineKind.CALLOUT),
                            state))
    for use in parts:
        part = snapshot.parts.get(use.code)
        if part is None:
            raise InvalidInput(_("Unknown part."), field="parts", part=use.code)
        if part.category_id is not None and part.category_id != product.category_id:
            raise InvalidInput(_("This part does not fit this product."), field="parts", part=use.code)
        if not isinstance(use.quantity, int) or isinstance(use.quantity, bool) or not 1 <= use.quantity <= 999:
            raise InvalidInput(_("A part's quantity is a whole number from 1 to 999."), field="parts", part=use.code)
        price = snapshot.part_prices.get(use.code)
        if price is None:
            raise PriceNotListed(item="part", part=use.code)
        lines.append(priced(LineKind.PART, part.code, bilingual(part.name, part.name_en), price, use.quantity,
                            CoverageItem(LineKind.PART, part=part)))
    lines += _adjustments(snapshot, lines, segment=segment, region_id=region_id)

    return Quote(
        price_list=snapshot.price_list, on=on, service_type=service_type,
        warranty=unit_verdict(snapshot.coverages, context), lines=tuple(lines), distance_km=distance_km,
        distance_approximate=distance_approximate and distance_km is not None,
        gross_total=sum((line.gross for line in lines), ZERO),
        covered_total=sum((line.gross for line in lines if line.covered), ZERO),
        total=sum((line.customer_pays for line in lines), ZERO),
    )


def price_goods(snapshot: PriceSnapshot, *, parts: Sequence[PartUse], segment: str = "",
                region_id: int | None = None) -> tuple[tuple[QuoteLine, ...], Decimal]:
    """Parts sold outright (the portal's shop): the list's price, then the segment's and region's adjustments on
    parts, exactly as a visit's parts get them. No warranty is judged: a sale is not a repair. Returns the lines
    (parts, then adjustments) and what the customer pays in total."""
    lines = []
    for use in parts:
        part = snapshot.parts.get(use.code)
        if part is None:
            raise InvalidInput(_("Unknown part."), field="parts", part=use.code)
        price = snapshot.part_prices.get(use.code)
        if price is None:
            raise PriceNotListed(item="part", part=use.code)
        gross = money(price) * use.quantity
        lines.append(QuoteLine(kind=LineKind.PART, code=part.code, description=bilingual(part.name, part.name_en),
                               unit_price=money(price), quantity=use.quantity, gross=gross, covered=False,
                               coverage=None, customer_pays=gross))
    lines += _adjustments(snapshot, lines, segment=segment, region_id=region_id)
    return tuple(lines), sum((line.customer_pays for line in lines), ZERO)


def _labour_price(snapshot: PriceSnapshot, product: ProductFacts, service_type: str) -> Decimal:
    price = snapshot.labour_by_model.get((product.model_id, service_type))
    if price is None:
        price = snapshot.labour.get((product.category_id, service_type))
    if price is None:
        raise PriceNotListed(item="labour", service_type=service_type, category_id=product.category_id)
    return price


def _callout(bands: Iterable[CalloutBandFacts], distance_km: Decimal | None,
             approximate: bool = False) -> tuple[Decimal, Any, str]:
    """The band the distance falls in (upper bounds inclusive), with the line's state.

    An unknown distance is no band at all, never the cheapest: the line is "to be confirmed" until the
    site is located. A distance from a point near the site (its district's centre) is priced by its band
    and marked approximate.
    """
    ordered = sorted(bands, key=lambda b: (b.up_to_km is None, b.up_to_km or 0))
    if distance_km is None:
        return ZERO, CALLOUT_TO_CONFIRM_TEXT, LineState.TO_CONFIRM
    text, state = (CALLOUT_APPROXIMATE_TEXT, LineState.APPROXIMATE) if approximate else (CALLOUT_TEXT,
                                                                                           LineState.PRICED)
    for band in ordered:
        if band.up_to_km is None or distance_km <= band.up_to_km:
            return band.amount, render_lazy(text, {"distance": distance_km}), state
    raise BeyondCalloutBands(distance_km=str(distance_km), farthest_band_km=str(ordered[-1].up_to_km))


def _applies(adjustment: AdjustmentFacts, segment: str, region_id: int | None) -> bool:
    return adjustment.segment in ("", segment) and adjustment.region_id in (None, region_id)


def _adjustments(snapshot: PriceSnapshot, lines: list[QuoteLine], *, segment: str,
                 region_id: int | None) -> list[QuoteLine]:
    """Segment and region adjustments on what the customer pays for labour, call-out or parts.

    Percentages apply to that base (two -10% make -20%, not -19%), then fixed amounts follow. A
    fixed amount applies only when the customer pays for some line of its target, so a covered
    call-out carries no remote-area surcharge. A discount stops where its target reaches zero.
    """
    matching = [a for a in snapshot.adjustments if _applies(a, segment, region_id)]
    matching.sort(key=lambda a: (a.percent is None, a.id))
    base = {kind: sum((ln.customer_pays for ln in lines if ln.kind == kind), ZERO) for kind in TARGET_KINDS.values()}
    payable = {kind: any(ln.kind == kind and not ln.covered for ln in lines) for kind in TARGET_KINDS.values()}
    net = dict(base)
    result: list[QuoteLine] = []
    for adjustment in matching:
        kind = TARGET_KINDS[AdjustmentTarget(adjustment.target)]
        if adjustment.percent is not None:
            delta = money(base[kind] * Decimal(adjustment.percent) / 100)
        elif adjustment.amount is not None and payable[kind]:
            delta = money(adjustment.amount)
        else:
            continue
        delta = max(delta, -net[kind])
        if delta == 0:
            continue
        net[kind] += delta
        description = render_lazy(ADJUSTMENT_TEXT, {
            "who": _who(adjustment), "change": _change(adjustment, snapshot.price_list.currency),
            "target": AdjustmentTarget(adjustment.target).label,
        })
        result.append(QuoteLine(kind=LineKind.ADJUSTMENT, code=f"adj-{adjustment.id}", description=description,
                                unit_price=delta, quantity=1, gross=delta, covered=False, coverage=None,
                                customer_pays=delta))
    return result


def _who(adjustment: AdjustmentFacts) -> Any:
    names = []
    if adjustment.segment:
        names.append(Segment(adjustment.segment).label)
    if adjustment.region_id is not None:
        names.append(adjustment.region_name or str(adjustment.region_id))
    return render_lazy("%(a)s · %(b)s", {"a": names[0], "b": names[1]}) if len(names) == 2 else (
        names[0] if names else ALL_CUSTOMERS)


def _change(adjustment: AdjustmentFacts, currency: str) -> str:
    if adjustment.percent is not None:
        percent = Decimal(adjustment.percent).normalize()
        return f"{percent:+f}%"
    amount = money(adjustment.amount)
    return f"{'+' if amount >= 0 else '-'}{CURRENCY_SYMBOLS.get(currency, '')}{abs(amount)}"
