"""Record a lead on site (STYLE.md §1): the technician, on their own job, with the customer's consent."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from core.errors import InvalidInput, PermissionDenied
from core.phones import try_normalize_phone
from revenue import events
from revenue.choices import LeadKind
from revenue.consent import language_of
from revenue.errors import ConsentRequired, ConsentWordingChanged, DuplicateLead, NotYourJob
from revenue.models import NOTE_MAX, Lead
from revenue.selectors import queue_for
from workorders.choices import Status
from workorders.models import WorkOrder

# A lead is captured while the technician is with the customer, or right after the job is done.
CAPTURE_STATUSES = frozenset({Status.ON_SITE, Status.COMPLETED})
NAME_MAX = 80


def record_lead(
    *, actor: Principal, order: WorkOrder, kind: str, consent: bool, consented_by: str, consent_wording: str,
    note: str = "", contact_phone: str = "",
) -> Lead:
    """The lead goes to the brand's or the outlet's queue, as the brand's rule for its kind says.

    ``order`` was fetched through ``visible_to(actor.user)``. ``consent_wording`` is the wording the customer
    was shown (revenue.consent): it is stored as shown, and refused if it is not the current one.
    """
    if not actor.is_technician:
        raise PermissionDenied(_("Only the technician on the job records leads."))
    if order.technician_id != actor.technician_id or order.status not in CAPTURE_STATUSES:
        raise NotYourJob()
    if kind not in LeadKind.values:
        raise InvalidInput(_("Choose a valid option."), field="kind", allowed=list(LeadKind.values))
    if consent is not True:
        raise ConsentRequired(field="consent")
    consented_by = " ".join((consented_by or "").split())
    if not consented_by:
        raise InvalidInput(_("Name the person who agreed."), field="consented_by")
    if len(consented_by) > NAME_MAX:
        raise InvalidInput(_("This text is too long."), field="consented_by", max_length=NAME_MAX)
    brand_name = order.brand.name
    language = language_of(consent_wording, brand_name=brand_name, kind=kind)
    if language is None:
        raise ConsentWordingChanged(field="consent_wording")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(_("This text is too long."), field="note", max_length=NOTE_MAX)
    phone = order.customer.phone
    if contact_phone:
        phone = try_normalize_phone(contact_phone)
        if not phone:
            raise InvalidInput(_("Enter a valid phone number."), field="contact_phone")
    now = timezone.now()
    technician = order.technician
    try:
        with transaction.atomic():
            lead = Lead.objects.create(
                brand_id=order.brand_id, outlet_id=technician.outlet_id,
                queue=queue_for(brand_id=order.brand_id, kind=kind, day=timezone.localdate(now)), kind=kind,
                work_order=order, customer_id=order.customer_id, technician=technician, note=note,
                contact_phone=phone, consented_by=consented_by, consent_at=now,
                consent_text=" ".join(consent_wording.split()), consent_language=language,
                recorded_by=actor.user, created_at=now,
            )
            events.recorded(lead=lead, actor=actor, note=note, at=now)
    except IntegrityError:
        if Lead.objects.filter(work_order=order, kind=kind).exists():
            raise DuplicateLead(field="kind") from None
        raise
    return lead
