"""The hop watch (periodic): a unit that stayed in a hop past the brand's target for it is flagged late, once per
hop, by compare-and-set on ``late_hop``; the flag's outbox event tells the centre's and the brand's dispatchers
(notifications/sinks.py). A second or concurrent run finds nothing left to flag."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core import outbox
from logistics.choices import OPEN_HOPS
from logistics.models import MailIn

BATCH = 500


def sweep(*, now: dt.datetime | None = None) -> int:
    """Flag every open unit whose hop is overdue and not yet flagged; the number flagged by this run."""
    now = now or timezone.now()
    due = (MailIn.objects.filter(hop__in=sorted(OPEN_HOPS), hop_due__lt=now).exclude(late_hop=F("hop"))
           .values_list("pk", flat=True)[:BATCH])
    return sum(_flag(pk, now) for pk in list(due))


def _flag(pk: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        case = (MailIn.objects.select_related("work_order").filter(pk=pk).only(
            "pk", "brand_id", "hop", "hop_since", "hop_due", "late_hop", "work_order__number").first())
        if case is None or case.hop_due is None or case.hop_due >= now:
            return False
        if not MailIn.objects.filter(Q(pk=pk, hop=case.hop, hop_due__lt=now) & ~Q(late_hop=case.hop)).update(
                late_hop=case.hop):
            return False
        outbox.record("mailin.late", brand_id=case.brand_id, work_order_id=case.work_order_id,
                      subject=("mailin", case.pk),
                      data={"number": case.work_order.number, "hop": case.hop, "since": case.hop_since.isoformat(),
                            "due": case.hop_due.isoformat()}, at=now)
    return True
