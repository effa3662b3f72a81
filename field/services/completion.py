"""Completing the job, which is also checking out: what must be there first, the charge, labour against the
standard, the lifecycle step, and the service report queued once it is all committed."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from catalog import standards
from catalog.choices import ServiceType
from core.bounds import money_input
from core.errors import DomainError, InvalidInput
from core.hooks import Hook
from customers.installation import SERIAL_MAX, clean_serial, install_unit
from field import charges
from field.errors import NotReadyToComplete
from field.jobtemplates import template_for
from field.models import Visit
from field.services.common import claim, happened_at
from parts.choices import MoveKind
from parts.models import StockMove
from workorders import workflow
from workorders.estimates import estimate_json, unavailable_json
from workorders.models import WorkOrder

MISSING_TEXT = {
    "checklist": _("Answer every required checklist item."),
    "photos": _("Take every required photo."),
    "signature": _("Ask the customer to sign."),
    "payment": _("Record the customer's payment."),
}

# A job was completed on site: ``send(order=, visit=)`` inside the completing transaction, after the order's
# transition (reports registers the PDF service report into it).
job_completed = Hook("field.job_completed")


def parts_used(visit: Visit) -> list[tuple[str, int]]:
    """(part code, units) taken from the van for this visit, in code order."""
    rows: dict[str, int] = {}
    moves = StockMove.objects.filter(
        work_order_id=visit.work_order_id, kind=MoveKind.CONSUME, consumption__technician_id=visit.technician_id,
        consumption__created_at__gte=visit.created_at,
    ).values_list("part__code", "quantity")
    for code, quantity in moves:
        rows[code] = rows.get(code, 0) + quantity
    return sorted(rows.items())


def missing_for(order: WorkOrder, visit: Visit, *, charge_total: Decimal | None) -> list[str]:
    """What the job still needs before it may be completed: checklist, photos, signature, payment."""
    missing = []
    template = template_for(order)
    if template is not None:
        answered = set(visit.answers.values_list("item_id", flat=True))
        if any(item.required and item.pk not in answered for item in template.items.all()):
            missing.append("checklist")
        taken = set(visit.photos.values_list("requirement", flat=True))
        if any(p.required and p.code not in taken for p in template.photos.all()):
            missing.append("photos")
    if not visit.signature_id:
        missing.append("signature")
    if charge_total and charge_total > 0 and not visit.payment_method:
        missing.append("payment")
    return missing


def _charge(order: WorkOrder, visit: Visit, now: dt.datetime) -> tuple[dict[str, Any], Decimal | None]:
    try:
        quote = charges.price(order, symptom_code=charges.effective_symptom_code(order, visit.symptom),
                              parts=parts_used(visit))
    except DomainError as error:
        # The engine cannot price it (no product, no list for the day, an item not listed): the order is
        # still done; the charge says why it is missing and the desk settles it.
        return unavailable_json(error, computed_at=now), None
    return estimate_json(quote, computed_at=now), quote.total


def _labour(order: WorkOrder, checked_in: dt.datetime | None, checked_out: dt.datetime) -> dict[str, int | None]:
    if checked_in is None:
        return {"labour_minutes": None, "standard_minutes": None, "labour_variance_minutes": None}
    minutes = max(0, math.ceil((checked_out - checked_in).total_seconds() / 60))
    found = standards.standard(order.product.product_model_id, order.type) if order.product_id else None
    standard = found.minutes if found is not None else None
    return {"labour_minutes": minutes, "standard_minutes": standard,
            "labour_variance_minutes": minutes - standard if standard is not None else None}


def _shown(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    amount = money_input(value, field="shown_total", message=_("Give the amount in yuan, e.g. 128.00."))
    if amount >= Decimal("1000000"):
        raise InvalidInput(_("Give the amount in yuan, e.g. 128.00."), field="shown_total")
    return amount.quantize(Decimal("0.01"))


def _install(order: WorkOrder, serial: str | None, checked_out: dt.datetime) -> None:
    """An install order registers its unit: the serial scanned on site, installed today at the order's site,
    in service with its warranty running from today (customers.installation)."""
    if order.product_id is None:
        raise InvalidInput(_("This installation has no unit on the order: ask the desk to add the product first."),
                           field="serial")
    install_unit(product=order.product, serial=serial or "", site=order.site,
                 install_date=timezone.localdate(checked_out))


def _serial_seen(order: WorkOrder, serial: str | None) -> str:
    """The serial read off the unit's nameplate, as printed (customers.installation.clean_serial), "" when none.

    Any job may give it. Only an installation checks it against the model and the order's unit (``_install``);
    on any other job a serial that is not the unit's is kept as read, for settlement's reviewer to judge, and
    only a malformed one (too long, control characters) is refused beside ``serial``."""
    seen = clean_serial(serial)
    if order.type == ServiceType.INSTALL or not seen:
        return seen
    if len(seen) > SERIAL_MAX or any(unicodedata.category(char) in ("Cc", "Cf") for char in seen):
        raise InvalidInput(_("Type the serial as printed on the unit's nameplate, at most %(max)s characters.")
                           % {"max": SERIAL_MAX}, field="serial")
    return seen


def complete(*, order: WorkOrder, actor: Principal, at: dt.datetime | None = None,
             shown_total: Any = None, serial: str | None = None) -> Visit:
    """Complete and check out: refused (NotReadyToComplete, ``detail.missing``) until the checklist, the
    required photos, the signature and, when the customer pays anything, the payment are there.

    The charge is priced by the engine from the parts used and the diagnosed symptom, and frozen on the
    visit with what the phone had shown (``shown_total``). Labour is check-in to check-out (the phone's
    times, so a job completed offline counts the time it took, not the time it synced), compared with the
    model's standard minutes for the service type. Once completed, nothing of it changes any more.

    An installation also installs its unit: ``serial`` is the one scanned or typed on site, checked against
    the model's pattern and the order's unit (refused beside ``serial``, nothing completed, when it is not).
    Any other job may give the serial read off the unit's nameplate: optional, kept as read even when it is
    not the unit's (settlement checks it), refused only when malformed. Either is kept as ``serial_seen``.
    """
    shown = _shown(shown_total)
    serial_seen = _serial_seen(order, serial)
    now = timezone.now()
    with transaction.atomic():
        visit = claim(order, actor)
        charge, total = _charge(order, visit, now)
        missing = missing_for(order, visit, charge_total=total)
        if missing:
            raise NotReadyToComplete(
                "; ".join(str(MISSING_TEXT[m]) for m in missing), missing=missing)
        checked_out = happened_at(at, floor=visit.checked_in_at)
        if order.type == ServiceType.INSTALL:
            _install(order, serial, checked_out)
        order = workflow.transition(order, "complete", actor=actor)
        changes = {"completed_at": now, "checked_out_at": checked_out, "charge": charge, "charge_total": total,
                   "shown_total": shown, "serial_seen": serial_seen, **_labour(order, visit.checked_in_at, checked_out)}
        Visit.objects.filter(pk=visit.pk).update(**changes)
        for name, value in changes.items():
            setattr(visit, name, value)
        # The PDF service report, rendered once this completion has committed (reports/hooks.py).
        job_completed.send(order=order, visit=visit)
    return visit
