"""Make the service report of a completed order, once (STYLE.md §8: idempotent, by id)."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from reports.models import ServiceReport
from reports.render import render_report
from workorders.attachments import files_rolled_back, store_attachment
from workorders.choices import Status
from workorders.models import AttachmentKind, WorkOrder

logger = logging.getLogger("aftersales.reports")
REPORTABLE = frozenset({Status.COMPLETED, Status.CLOSED})


def ensure_service_report(*, order_id: int) -> ServiceReport | None:
    """The order's report: made now if it has none yet, else the one it has (nothing changes the second time).

    None for an order that does not exist or is not (or no longer) completed: a reopened order gets its
    report when it is completed again. Two workers racing on one order keep one report: the loser's row
    hits the unique order key, its file is deleted again, and it returns the winner's report.
    """
    existing = ServiceReport.objects.filter(work_order_id=order_id).select_related("attachment").first()
    if existing is not None:
        return existing
    order = WorkOrder.objects.filter(pk=order_id, status__in=sorted(REPORTABLE)).first()
    if order is None:
        return None
    rendered = render_report(order)  # seconds of CPU: outside any transaction
    name = f"service-report-{order.number}.pdf"
    try:
        with files_rolled_back() as stored, transaction.atomic():
            attachment = store_attachment(order=order, content=ContentFile(rendered.pdf, name=name),
                                          kind=AttachmentKind.REPORT, content_type="application/pdf",
                                          customer_visible=True, stored=stored)
            report = ServiceReport.objects.create(work_order=order, attachment=attachment,
                                                  language=rendered.language, pages=rendered.pages,
                                                  rendered_at=timezone.now())
    except IntegrityError:
        logger.info("service report of order %s was made by another worker", order_id)
        return ServiceReport.objects.filter(work_order_id=order_id).select_related("attachment").first()
    return report
