"""A mail-in repair as its customer follows it, like a parcel: the unit's hops, the parcels with the courier's route
events, how the pickup is going, and the quote to answer. Everything is read by logistics.selectors; the customer
sees only the steps meant for them (``steps_for``), of a case fetched through ``visible_to``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from catalog.choices import ServiceType
from core.errors import DomainError
from logistics import booking, selectors, workflow
from logistics.choices import Decision, Hop
from logistics.models import MailIn
from workorders.estimates import localized
from workorders.models import WorkOrder

ANSWERED = {
    Decision.APPROVED: _("Thank you: you approved the quote. We are repairing your unit."),
    Decision.DECLINED: _("You declined the quote. We will send your unit back unrepaired."),
}
ALREADY = {
    Decision.APPROVED: _("You have already approved this quote, so nothing was changed."),
    Decision.DECLINED: _("You have already declined this quote, so nothing was changed."),
}


@dataclass(frozen=True)
class QuoteLine:
    description: str
    quantity: int
    amount: Decimal | None  # what the customer pays for the line
    gross: Decimal | None  # its price before the warranty
    covered: bool
    reason: str


@dataclass
class MailInTrack:
    case: MailIn
    hops: list[selectors.HopRow]
    parcels: list[selectors.Parcel]
    waiting: list[selectors.Parcel]  # parcels the courier has not booked yet (being arranged, or refused)
    cancel_refusal: Any
    quote_lines: list[QuoteLine] = field(default_factory=list)
    courier_fee: Decimal | None = None
    decline_charge: Decimal | None = None

    @property
    def quote_open(self) -> bool:
        return self.case.hop == Hop.QUOTED

    @property
    def collecting(self) -> bool:
        """The courier has yet to collect the unit: the page shows the pickup window."""
        return self.case.hop == Hop.PICKUP_BOOKED


def _amount(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def quote_lines(case: MailIn) -> list[QuoteLine]:
    """The quote's lines in the reader's language (workorders.estimates keeps each text in every language)."""
    lines = []
    for line in (case.quote or {}).get("lines", []):
        lines.append(QuoteLine(description=localized(line.get("description")), quantity=int(line.get("quantity") or 1),
                               amount=_amount(line.get("customer_pays")), gross=_amount(line.get("gross")),
                               covered=bool(line.get("covered")), reason=localized(line.get("reason"))))
    return lines


def quote_context(case: MailIn) -> dict[str, Any]:
    """What a quote card shows besides the case: its lines, the courier's fee, and what declining costs."""
    fee = (case.quote or {}).get("courier_fee")
    return {"quote_lines": quote_lines(case), "courier_fee": _amount(fee),
            "decline_charge": workflow.decline_charge(case.brand_id)}


def build(user: Any, order: WorkOrder, principal: Principal | None) -> MailInTrack | None:
    """The order's mail-in case as the page shows it; None for an order that is no mail-in repair."""
    if order.type != ServiceType.MAIL_IN:
        return None
    case = selectors.case_of_order(user, order.pk)
    if case is None:
        return None
    parcels = selectors.parcels(case)
    track = MailInTrack(case=case, hops=selectors.progress(case, selectors.steps_for(case, principal)),
                        parcels=parcels, waiting=[p for p in parcels if p.booking],
                        cancel_refusal=booking.cancel_refusal(case))
    if case.quote:
        for key, value in quote_context(case).items():
            setattr(track, key, value)
    return track


def refusal_text(error: DomainError, case: MailIn) -> str:
    """Why an answer to the quote was refused, in the customer's words: one already answered says so."""
    decided = MailIn.objects.filter(pk=case.pk).values_list("decision", flat=True).first()
    return str(ALREADY.get(decided, error.message))
