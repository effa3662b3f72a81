"""The imports' and exports' routes: thin adapters over exchange.services, exchange.selectors and exchange.exports."""

from __future__ import annotations

from typing import Literal

from ninja import Field, File, Form, Query, Router, Schema, UploadedFile

from core.api import AUTH, ApiDateTime, Page, get_visible, page_params, principal
from core.errors import InvalidInput
from core.schema import Id, Input, Int, Text
from exchange import exports, selectors, services
from exchange.models import ImportJob
from workorders.api import OrderFiltersIn
from workorders.selectors import OrderFilters

imports_router = Router(tags=["imports and exports"], auth=AUTH)
exports_router = Router(tags=["imports and exports"], auth=AUTH)

Format = Literal["xlsx", "csv"]


class RefusalReason(Schema):
    column: str
    code: str
    message: str


class RefusedRowOut(Schema):
    row_number: int = Field(description="As the spreadsheet numbers it: the header is row 1.")
    values: dict[str, str]
    reasons: list[RefusalReason]


class RefusedRowPage(Page):
    items: list[RefusedRowOut]


class ImportJobOut(Schema):
    id: int
    kind: str
    status: str
    file_name: str
    file_format: str
    total_rows: int
    valid_rows: int
    refused_rows: int
    written_rows: int
    unchanged_rows: int
    processed_rows: int
    progress: int = Field(description="Percent of the running stage (checking, then importing) done.")
    failure: str
    created_at: ApiDateTime
    finished_at: ApiDateTime | None


class ImportJobDetail(ImportJobOut):
    refused: RefusedRowPage


class RefusedRowsQuery(Input):
    page: Int = 1
    page_size: Int = 25


def _detail(job: ImportJob, page: int = 1, size: int = 25) -> dict:
    job.refresh_from_db()  # the task may have moved it on since it was read (the immediate backend: at once)
    rows = selectors.refused_rows(job, page, size)
    out = ImportJobOut.model_validate(job).model_dump()
    out["refused"] = {"items": [vars(r) for r in rows], "count": job.refused_rows, "count_capped": False,
                      "page": page, "page_size": size}
    return out


@imports_router.post("", response={202: ImportJobDetail},
                     summary="Upload a spreadsheet (multipart: 'file', 'kind'); its rows are checked in the background")
def create_import(request, file: UploadedFile = File(...), kind: Text = Form("installed_base")):
    job = services.create_job(actor=principal(request), kind=kind, upload=file)
    return 202, _detail(job)


@imports_router.get("/{import_id}", response=ImportJobDetail,
                    summary="An import: its progress, counts and refused rows with their reasons (paged)")
def get_import(request, import_id: Id, query: Query[RefusedRowsQuery]):
    job = get_visible(ImportJob.objects, request, import_id)
    services.require_importer(principal(request))
    page, size = page_params(query.page, query.page_size)
    return _detail(job, page, size)


@imports_router.post("/{import_id}/commit", response={202: ImportJobDetail},
                     summary="Write the checked file's valid rows (in the background); once per import")
def commit_import(request, import_id: Id):
    job = get_visible(ImportJob.objects, request, import_id)
    return 202, _detail(services.commit_job(actor=principal(request), job=job))


class ExportListFilter(Input):
    q: str = Field("", max_length=100)


@exports_router.get("/customers.{fmt}", summary="Export the customers list (same filter as GET /customers)")
def export_customers(request, fmt: Format, query: Query[ExportListFilter]):
    principal(request)
    return exports.response("customers", fmt, *exports.customers(request.user, query.q))


@exports_router.get("/products.{fmt}",
                    summary="Export the installed products (filter of GET /customers/products; the import's columns)")
def export_products(request, fmt: Format, query: Query[ExportListFilter]):
    principal(request)
    return exports.response("products", fmt, *exports.products(request.user, query.q))


@exports_router.get("/orders.{fmt}", summary="Export the work orders list (same filters as GET /workorders)")
def export_orders(request, fmt: Format, filters: Query[OrderFiltersIn]):
    principal(request)
    if filters.created_from and filters.created_to and filters.created_to < filters.created_from:
        raise InvalidInput(field="created_to")
    chosen = OrderFilters(**filters.model_dump(exclude={"page", "page_size"}))
    return exports.response("orders", fmt, *exports.orders(request.user, chosen))



