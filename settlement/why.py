"""Why a settlement line is what it is, in words, from what it was computed from (``SettlementLine.basis``, written
by settlement.arithmetic, setbased, extras, disputes and fraud): the tariff and its fee row, band and distance; the
transfer price of a part; the rule's amount or share; the complaints, breaches, ratings, missing photos; a dispute's
or a late change's adjustment; a reversal. Presentation only: nothing is recomputed. The one reading of a basis,
for the console's pages, the exports, the API and the technician's app."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from settlement import arithmetic, extras
from settlement.choices import LineKind
from settlement.models import SettlementLine

NO_TARIFF = arithmetic.NO_TARIFF
RULE_KINDS = frozenset({LineKind.REWORK, LineKind.COMPLAINT, LineKind.SLA_BREACH, LineKind.MISSING_PHOTO,
                        LineKind.MISSING_SIGNATURE, LineKind.PART_NOT_RETURNED, LineKind.SATISFACTION_BONUS})


def _yuan(value: Any) -> str:
    return f"¥{value}"


def _band(band: Any) -> str:
    if not isinstance(band, (list, tuple)) or len(band) != 2:
        return ""
    low, high = band
    if high is None:
        return _("from %(low)s km") % {"low": low}
    return _("%(low)s–%(high)s km") % {"low": low, "high": high}


def _rule_charge(basis: dict) -> str:
    """A rule's fixed amount, or its share of a fee."""
    if basis.get("amount") is not None:
        return _("fixed %(amount)s") % {"amount": _yuan(basis["amount"])}
    if basis.get("share") is not None:
        return _("%(share)s%% of the fee %(fee)s") % {"share": basis["share"], "fee": _yuan(basis.get("fee", "0"))}
    return ""


def _tariff_lines(kind: str, basis: dict, tariff: str | None) -> list[str]:
    out: list[str] = []
    if kind == LineKind.PART:
        if basis.get("reason") == extras.NO_TRANSFER_PRICE:
            out.append(_("Part %(part)s × %(n)s under warranty: the tariff has no transfer price for it, paid 0")
                       % {"part": basis.get("part"), "n": basis.get("quantity")})
        else:
            out.append(_("Part %(part)s × %(n)s under warranty at the transfer price %(price)s")
                       % {"part": basis.get("part"), "n": basis.get("quantity"),
                          "price": _yuan(basis.get("transfer_price"))})
        return out
    if basis.get("reason") == NO_TARIFF:
        out.append(_("No published tariff or fee row matches this order: paid 0 until the tariff covers it."))
    elif kind == LineKind.FEE:
        row = basis.get("fee_row_id")
        parts = [_("Tariff %(name)s, fee row #%(row)s") % {"name": tariff or "—", "row": row}]
        band = _band(basis.get("band"))
        if band:
            parts.append(_("band %(band)s") % {"band": band})
        out.append(", ".join(parts))
    elif tariff:
        out.append(_("Tariff %(name)s") % {"name": tariff})
    if kind in (LineKind.FEE, LineKind.TRAVEL):
        distance = basis.get("distance_km")
        out.append(_("Distance from the outlet: %(km)s km") % {"km": distance} if distance is not None
                   else _("Distance from the outlet: unknown"))
    if kind == LineKind.TRAVEL:
        cap = basis.get("cap")
        text = _("%(free)s km free, then %(per_km)s per km") % {"free": basis.get("free_km"),
                                                                 "per_km": _yuan(basis.get("per_km"))}
        if cap is not None:
            text += _(", at most %(cap)s") % {"cap": _yuan(cap)}
        out.append(text)
    if kind == LineKind.FAILED_VISIT and basis.get("visits") is not None:
        out.append(_("Visits that failed through the customer (on site, waiting for them): %(n)s × %(fee)s")
                   % {"n": basis["visits"], "fee": _yuan(basis.get("per_visit"))})
    if kind == LineKind.HIGH_FLOOR and basis.get("floor") is not None:
        out.append(_("Floor %(floor)s without a lift (paid from floor %(from)s)")
                   % {"floor": basis["floor"], "from": basis.get("high_floor_from")})
    if kind == LineKind.NIGHT:
        out.append(_("Visit started at %(hour)s:00; night is %(from)s:00–%(to)s:00") % {
            "hour": basis.get("started_hour"), "from": basis.get("night_from_hour"), "to": basis.get("night_to_hour")})
    return out


def _rule_lines(kind: str, basis: dict) -> list[str]:
    out = [_("Rule: %(kind)s") % {"kind": dict(LineKind.choices).get(kind, kind)}]
    charge = _rule_charge(basis)
    if kind == LineKind.PART_NOT_RETURNED:
        out.append(_("Defective %(part)s × %(n)s owed since %(since)s, not returned within %(days)s days")
                   % {"part": basis.get("part"), "n": basis.get("quantity"), "since": basis.get("owed_since"),
                      "days": basis.get("days")})
        if basis.get("transfer_price") is not None:
            charge = _("at the transfer price %(price)s") % {"price": _yuan(basis["transfer_price"])}
    elif kind == LineKind.MISSING_PHOTO:
        out.append(_("Required photos not taken: %(codes)s") % {"codes": ", ".join(basis.get("photos") or ())})
    elif kind == LineKind.REWORK:
        out.append(_("Rework of order #%(order)s, %(after)s days after it was completed (rule: within %(days)s)")
                   % {"order": basis.get("rework_of"), "after": basis.get("after_days"),
                      "days": basis.get("days") if basis.get("days") is not None else "—"})
    elif kind == LineKind.COMPLAINT:
        complaints = [f"#{pk} ({_yuan(amount)})" if amount not in (None, "0", "0.00") else f"#{pk}"
                      for pk, amount in basis.get("complaints") or ()]
        out.append(_("Upheld complaints: %(list)s") % {"list": ", ".join(complaints)})
    elif kind == LineKind.SLA_BREACH:
        out.append(_("Clocks breached: %(n)s") % {"n": basis.get("breaches")})
    elif kind == LineKind.SATISFACTION_BONUS:
        out.append(_("Month average %(avg)s over %(n)s ratings (at least %(threshold)s)")
                   % {"avg": basis.get("average"), "n": basis.get("ratings"), "threshold": basis.get("threshold")})
    if charge:
        out.append(charge)
    return out


def reasons(kind: str, basis: Any, *, amount: Any = None, tariff: str | None = None) -> list[str]:
    """A line's reasons, one short sentence each, in the reader's language, from its kind and basis (and the name
    of the tariff that made it, when there is one)."""
    basis = basis if isinstance(basis, dict) else {}
    if kind == LineKind.ADJUSTMENT:
        if basis.get("reason") == extras.LATE:
            return [_("A complaint upheld after the order's statement was closed: due %(due)s, already booked "
                      "%(booked)s") % {"due": _yuan(basis.get("due")), "booked": _yuan(basis.get("booked"))}]
        out = [_("Dispute #%(dispute)s upheld: %(from)s → %(to)s") % {
            "dispute": basis.get("dispute", "—"), "from": _yuan(basis.get("from")), "to": _yuan(basis.get("to"))}]
        if basis.get("reason"):
            out.append(str(basis["reason"]))
        return out
    if kind == LineKind.REVERSAL:
        out = [_("Reversed: a fraud flag on the order was upheld")]
        if basis.get("flag"):
            out.append(_("Flag #%(flag)s") % {"flag": basis["flag"]})
        return out
    if kind == LineKind.PIECE_RATE:
        out = [_("%(share)s%% of the fee %(fee)s") % {"share": basis.get("share"), "fee": _yuan(basis.get("fee"))}]
    elif kind == LineKind.LEAD_COMMISSION:
        out = [_("Commission on a lead won for %(value)s") % {"value": _yuan(basis.get("value"))}]
    elif kind in RULE_KINDS:
        out = _rule_lines(kind, basis)
    else:
        out = _tariff_lines(kind, basis, tariff)
    if _rounded(basis.get("exact"), amount):
        out.append(_("Exact %(exact)s, rounded once to the fen") % {"exact": basis["exact"]})
    return out


def _rounded(exact: Any, amount: Any) -> bool:
    """Whether the line's amount is its exact figure rounded (24.0000 is 24.00: nothing to say)."""
    if exact is None or amount is None:
        return False
    try:
        return Decimal(str(exact)) != Decimal(str(amount))
    except InvalidOperation:
        return False


def why(line: SettlementLine) -> list[str]:
    """``reasons`` of a line (its tariff read through ``line.tariff``: select it with the lines)."""
    tariff = line.tariff.name if line.tariff_id and line.tariff else None
    return reasons(line.kind, line.basis, amount=line.amount, tariff=tariff)
