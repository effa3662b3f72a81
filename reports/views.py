"""Download an order's service report: anyone who may see the order's report file (staff of the order, the
order's customer) gets it; anyone else, or an order without a report yet, is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from reports.selectors import service_report
from workorders.models import WorkOrder


@require_GET
@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    order = WorkOrder.objects.visible_to(request.user).filter(pk=pk).first()
    report = service_report(request.user, order) if order is not None else None
    if report is None:
        raise Http404
    try:
        handle = report.attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type="application/pdf", as_attachment=True,
                            filename=f"service-report-{order.number}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
