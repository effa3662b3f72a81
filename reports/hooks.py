"""What reports does and supplies when the layers below it ask (core/hooks.py)."""

from field.models import Visit
from field.selectors import service_report_url
from field.services.completion import job_completed
from reports import selectors
from reports.tasks import enqueue_service_report
from workorders.models import WorkOrder

service_report_url.register(selectors.service_report_url)


@job_completed.connect
def _render_service_report(*, order: WorkOrder, visit: Visit) -> None:
    """A completed job gets its PDF service report once the completion has committed."""
    enqueue_service_report(order.pk)
