"""Background work of imports (STYLE.md §8): tasks take the job's id, are enqueued on commit, and are idempotent
(each stage starts only from the status before it, by compare-and-set: a second run does nothing)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from exchange import runner


@task()
def preview_import(job_id: int) -> None:
    """Check every row of an uploaded file and store the refused rows' reasons (exchange/runner.py)."""
    runner.run_preview(job_id)


@task()
def import_rows(job_id: int) -> None:
    """Write the valid rows of a job whose import was asked for (exchange/runner.py)."""
    runner.run_import(job_id)


def enqueue_preview(job_id: int) -> None:
    transaction.on_commit(lambda: preview_import.enqueue(job_id))


def enqueue_import(job_id: int) -> None:
    transaction.on_commit(lambda: import_rows.enqueue(job_id))
