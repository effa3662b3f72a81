"""The console's imports of the installed base (upload, preview, progress, result) and the lists' exports.

Thin adapters over exchange.services, exchange.selectors and exchange.exports (STYLE.md §2). A job's pages fetch
it through ``visible_to`` first (another brand's is a 404), then the seat: the brand's roles that keep customers.
The job's page is polled by htmx while a stage runs; it renders only its partial when htmx asks.
"""

from __future__ import annotations

import math

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.principal import Principal
from console.forms import OrderFilterForm, page_number
from core.errors import DomainError
from core.forms import add_domain_error
from core.htmx import refused, render_page
from core.pages import staff_page
from exchange import exports, selectors, services
from exchange.choices import RUNNING, ImportKind, ImportStatus
from exchange.models import ImportJob
from exchange.sheets import COLUMNS, template_header
from workorders.selectors import OrderFilters

PAGE = "console/imports/list.html"
JOB_PAGE = "console/imports/job.html"
JOB_BODY = "console/imports/_job.html"
ROWS_PER_PAGE = 50

importer_page = staff_page(seat=services.may_import)
job_page = staff_page(seat=services.may_import, fetch=selectors.get_job, as_name="job")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
    kind = forms.ChoiceField(label=_("What it holds"), choices=ImportKind.choices, initial=ImportKind.INSTALLED_BASE)


def _list(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "jobs": selectors.recent_jobs(request.user), "columns": COLUMNS,
               "template_header": template_header()}
    return render_page(request, PAGE, context, status=status)


@require_http_methods(["GET", "POST"])
@importer_page
def import_list(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    if request.method == "GET":
        return _list(request, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = services.create_job(actor=principal, kind=form.cleaned_data["kind"],
                                      upload=form.cleaned_data["file"])
        except DomainError as error:
            add_domain_error(form, error)
            return refused(_list(request, form), error.status)
        return redirect("console:import", pk=job.pk)
    return refused(_list(request, form), 422)


def _job_context(request: HttpRequest, job: ImportJob, error: str = "") -> dict:
    job.refresh_from_db()
    only_refused = request.GET.get("only") == "refused"
    pages = max(math.ceil(job.refused_rows / ROWS_PER_PAGE), 1)
    page = min(page_number(request.GET.get("page")), pages)
    return {
        "job": job, "error": error, "running": job.status in RUNNING, "only_refused": only_refused,
        "refused": selectors.refused_rows(job, page, ROWS_PER_PAGE),
        "sample": [] if only_refused or page > 1 else job.sample,
        "columns": COLUMNS, "page": page, "num_pages": pages, "has_prev": page > 1, "has_next": page < pages,
        "may_commit": job.status == ImportStatus.PREVIEWED and job.valid_rows > 0,
    }


@require_GET
@job_page
def import_detail(request: HttpRequest, *, principal: Principal, job: ImportJob) -> HttpResponse:
    return render_page(request, JOB_PAGE, _job_context(request, job), partial=JOB_BODY)


@require_POST
@job_page
def import_commit(request: HttpRequest, *, principal: Principal, job: ImportJob) -> HttpResponse:
    try:
        services.commit_job(actor=principal, job=job)
    except DomainError as error:
        return refused(render_page(request, JOB_PAGE, _job_context(request, job, str(error.message)),
                                   partial=JOB_BODY), error.status)
    if not request.htmx:
        return redirect("console:import", pk=job.pk)
    return render_page(request, JOB_PAGE, _job_context(request, job), partial=JOB_BODY)


@require_GET
@importer_page
def import_template(request: HttpRequest, *, principal: Principal, fmt: str) -> HttpResponse:
    """An empty sheet with the columns' headers (Chinese and English), to fill in."""
    return exports.response("import-template", fmt, template_header(), [])


@require_GET
@staff_page
def export(request: HttpRequest, *, principal: Principal, kind: str, fmt: str) -> HttpResponse:
    """A list as xlsx or csv, with the list's filters from the query string (what the user sees, visible_to)."""
    if kind not in exports.KINDS or fmt not in ("xlsx", "csv"):
        raise Http404
    if kind == "orders":
        form = OrderFilterForm(request.GET or None, user=request.user)
        if form.is_bound and not form.is_valid():
            return redirect(f"{reverse('console:orders')}?{request.GET.urlencode()}")  # the list says what is wrong
        filters = form.filters() if form.is_bound else OrderFilters()
        return exports.response(kind, fmt, *exports.orders(request.user, filters))
    q = request.GET.get("q", "")[:100]
    rows = exports.customers(request.user, q) if kind == "customers" else exports.products(request.user, q)
    return exports.response(kind, fmt, *rows)
