from __future__ import annotations

from django.urls import reverse

from reports.models import ServiceReport
from workorders.models import WorkOrder


def service_report(user, order: WorkOrder) -> ServiceReport | None:
    """The order's report if this user may see its file (the customer: their own order's)."""
    return ServiceReport.objects.visible_to(user).filter(work_order=order).select_related("attachment").first()


def service_report_url(user, order: WorkOrder) -> str | None:
    """The download link of the order's report; None while there is none, or the user may not see it."""
    return reverse("reports:service-report", args=[order.pk]) if service_report(user, order) else None
