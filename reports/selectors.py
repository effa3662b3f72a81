from __future__ import annotations

from reports.models import ServiceReport
from workorders.models import WorkOrder


def service_report(user, order: WorkOrder) -> ServiceReport | None:
    """The order's report if this user may see its file (the customer: their own order's)."""
    return ServiceReport.objects.visible_to(user).filter(work_order=order).select_related("attachment").first()
