"""A mail-in unit's hops as a table (STYLE.md §3): ``ALLOWED`` from → {to}, and one ``move`` that applies a hop by
compare-and-set on (hop, version), writes the step row and, for the hops the customer is told of, the outbox event
their message comes from, all in one transaction. Nothing else changes ``MailIn.hop``.

The courier's route events may skip hops (a parcel scanned only on arrival) but never go back: the inbound hops
move forward only (logistics/routes.py compares ranks before it calls ``move``). A unit is received at the bench
even when its courier never said it arrived. Out of warranty it is repaired only from ``approved``; it leaves
only from ``qc_passed``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from core import outbox
from core.errors import IllegalTransition, StaleVersion
from logistics.choices import Hop
from logistics.models import MailIn, MailInPolicy, MailInStep

H = Hop
ALLOWED: dict[str, frozenset[str]] = {
    H.PICKUP_BOOKED: frozenset({H.COLLECTED, H.IN_TRANSIT, H.ARRIVED, H.RECEIVED, H.CANCELLED}),
    H.COLLECTED: frozenset({H.IN_TRANSIT, H.ARRIVED, H.RECEIVED}),
    H.IN_TRANSIT: frozenset({H.ARRIVED, H.RECEIVED}),
    H.ARRIVED: frozenset({H.RECEIVED}),
    H.RECEIVED: frozenset({H.DIAGNOSED}),
    H.DIAGNOSED: frozenset({H.QUOTED, H.REPAIRED}),  # repaired straight away only in warranty (bench.repair)
    H.QUOTED: frozenset({H.APPROVED, H.DECLINED}),
    H.APPROVED: frozenset({H.REPAIRED}),
    H.DECLINED: frozenset({H.QC_PASSED}),
    H.REPAIRED: frozenset({H.QC_PASSED}),
    H.QC_PASSED: frozenset({H.SHIPPED}),
    H.SHIPPED: frozenset({H.DELIVERED}),
    H.DELIVERED: frozenset(),
    H.CANCELLED: frozenset(),
}
# The hops whose step the customer is told of by a message (notifications/texts.py has their sentences).
MESSAGED = frozenset({H.PICKUP_BOOKED, H.COLLECTED, H.RECEIVED, H.QUOTED, H.SHIPPED})
RANK = {hop: n for n, hop in enumerate(Hop.values)}


def policy_of(brand_id: int) -> MailInPolicy:
    return MailInPolicy.objects.filter(brand_id=brand_id).first() or MailInPolicy(brand_id=brand_id)


def courier_fee(brand_id: int, *, in_warranty: bool) -> Decimal:
    """What the courier costs the customer, both ways: nothing while the unit is in warranty, else the brand's fee
    (bench.quote adds it to an out-of-warranty quote)."""
    return Decimal("0.00") if in_warranty else policy_of(brand_id).courier_fee


def decline_charge(brand_id: int) -> Decimal:
    """What a declined quote costs the customer (bench.decide charges it): the inspection and the courier."""
    policy = policy_of(brand_id)
    return policy.inspection_fee + policy.courier_fee


def due_of(mail_in: MailIn, hop: str, at: dt.datetime, policy: MailInPolicy | None = None) -> dt.datetime | None:
    """When the unit should have left ``hop`` (entered at ``at``): the brand's target for it; the pickup's is
    counted from the end of the pickup window."""
    minutes = (policy or policy_of(mail_in.brand_id)).target_minutes(hop)
    if minutes is None:
        return None
    start = max(at, mail_in.pickup_end) if hop == H.PICKUP_BOOKED else at
    return start + dt.timedelta(minutes=minutes)


def move(mail_in: MailIn, to: str, *, actor: Principal | None, at: dt.datetime | None = None, place: str = "",
         note: str = "", customer_visible: bool = True, data: dict[str, Any] | None = None,
         changes: dict[str, Any] | None = None, message: dict[str, Any] | None = None) -> MailIn:
    """Move the unit to hop ``to`` (with ``changes`` to its other fields), or refuse having changed nothing.

    IllegalTransition (409) when ``to`` does not follow the present hop; StaleVersion (409) when someone moved it
    since it was read. ``message`` adds to the customer message's data (a waybill, an amount)."""
    source = mail_in.hop
    if to not in ALLOWED[source]:
        raise IllegalTransition(_("The unit cannot go from this step to that one."), from_status=source,
                                to_status=to, allowed=sorted(ALLOWED[source]))
    # A courier's time is to the second and may even run a little behind ours: a step never goes before the last.
    at = max(at or timezone.now(), mail_in.hop_since)
    fields = dict(changes or {})
    fields.update(hop=to, hop_since=at, hop_due=due_of(mail_in, to, at), late_hop="")
    with transaction.atomic():
        updated = MailIn.objects.filter(pk=mail_in.pk, hop=source, version=mail_in.version).update(
            version=F("version") + 1, **fields)
        if not updated:
            raise StaleVersion(current_version=MailIn.objects.values_list("version", flat=True).get(pk=mail_in.pk))
        MailInStep.objects.create(
            mail_in=mail_in, from_hop=source, hop=to, at=at, place=place[:120], note=note[:500],
            actor=actor.user if actor is not None and actor.user is not None else None,
            actor_role=actor.role if actor is not None else "", customer_visible=customer_visible, data=data or {})
        order = mail_in.work_order
        outbox.record(f"mailin.{to}" if to in MESSAGED else "mailin.moved", brand_id=mail_in.brand_id,
                      work_order_id=mail_in.work_order_id, subject=("mailin", mail_in.pk),
                      data={"number": order.number, "hop": to, "from_hop": source, "place": place,
                            "customer_id": order.customer_id, **(message or {})}, at=at)
    mail_in.refresh_from_db()
    return mail_in
