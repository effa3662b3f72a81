"""Reads about imports for the API and the console: a job through the one scoping point, its refused rows paged."""

from __future__ import annotations

from dataclasses import dataclass, field

from exchange.models import ImportJob, ImportRowError


def get_job(user, pk: int) -> ImportJob:
    return ImportJob.objects.visible_to(user).select_related("created_by").get(pk=pk)


def recent_jobs(user, limit: int = 20) -> list[ImportJob]:
    return list(ImportJob.objects.visible_to(user).select_related("created_by").order_by("-pk")[:limit])


@dataclass
class RefusedRow:
    row_number: int
    values: dict
    reasons: list[dict] = field(default_factory=list)  # {column, code, message}


def refused_rows(job: ImportJob, page: int, page_size: int) -> list[RefusedRow]:
    """One page of the job's refused rows in the sheet's order, each with all its reasons (two queries)."""
    errors = ImportRowError.objects.filter(job=job)
    numbers = list(errors.order_by("row_number").values_list("row_number", flat=True).distinct()
                   [(page - 1) * page_size: page * page_size])
    rows: dict[int, RefusedRow] = {}
    for number, column, code, message, values in errors.filter(row_number__in=numbers).order_by(
            "row_number", "pk").values_list("row_number", "column", "code", "message", "values"):
        row = rows.setdefault(number, RefusedRow(number, values))
        row.reasons.append({"column": column, "code": code, "message": message})
    return [rows[n] for n in numbers]
