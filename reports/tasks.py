"""Background work of the reports app (STYLE.md §8): enqueued on commit, takes ids, idempotent.

A job completed in the technician app sends ``field.services.completion.job_completed`` inside its
transaction, and reports/hooks.py calls ``enqueue_service_report(order)`` there; the task runs once that
has committed (with the immediate backend, in the same process right after it).
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from reports.services import ensure_service_report
from workorders.models import WorkOrder


@task()
def render_service_report(order_id: int) -> int | None:
    """Render and store the PDF service report of a completed order; returns the attachment's id.

    Running it twice keeps one report (reports.services.ensure_service_report).
    """
    report = ensure_service_report(order_id=order_id)
    return report.attachment_id if report is not None else None


def enqueue_service_report(order: WorkOrder | int) -> None:
    """Queue the report for when the current transaction commits (at once, outside a transaction)."""
    order_id = order if isinstance(order, int) else order.pk
    transaction.on_commit(lambda: render_service_report.enqueue(order_id))
