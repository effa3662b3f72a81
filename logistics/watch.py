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
    """Flag every open unit whose hop is overdue and not yet flagged; the number flagged by this run.

    The overdue units are read in one query; each is then flagged by compare-and-set (its hop unchanged and not
    flagged yet) with its event in the same transaction, so a unit moved on meanwhile, or flagged by another run,
    is left alone and told about once."""
    now = now or timezone.now()
    due = list(MailIn.objects.filter(hop__in=sorted(OPEN_HOPS), hop_due__lt=now).exclude(late_hop=F("hop"))
               .order_by("hop_due").values("pk", "brand_id", "work_order_id", "hop", "hop_since", "hop_due",
                                           "work_order__number")[:BATCH])
    flagged = 0
    for row in due:
        with transaction.atomic():
            if not MailIn.objects.filter(Q(pk=row["pk"], hop=row["hop"], hop_due__lt=now)
                                         & ~Q(late_hop=row["hop"])).update(late_hop=row["hop"]):
                continue
            outbox.record("mailin.late", brand_id=row["brand_id"], work_order_id=row["work_order_id"],
                          subject=("mailin", row["pk"]),
                          data={"number": row["work_order__number"], "hop": row["hop"],
                                "since": row["hop_since"].isoformat(), "due": row["hop_due"].isoformat()}, at=now)
        flagged += 1
    return flagged
