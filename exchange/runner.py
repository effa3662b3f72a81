"""The two stages of an import, run by the background task: check every row (the preview), then write the valid.

Each stage reads the file again in batches of BATCH rows; the import writes each batch in one transaction
with one query per table (customers by phone, sites by customer and address, products by serial), so 100,000
rows take minutes, not hours. Idempotent by serial: a row whose serial the same customer already has is
"unchanged", so importing the same file twice writes nothing the second time. Products are inserted with
ON CONFLICT DO NOTHING on the brand's unique serial, so two imports racing for one serial write it once, and
the loser's row is counted unchanged (same customer) or refused (another customer's).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import islice

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.dates import add_months
from core.errors import DomainError
from customers.choices import CustomerKind, ProductStatus
from customers.models import Customer, InstalledProduct, Site
from exchange import sheets
from exchange.checks import Catalogue, Row, check_row, check_serials
from exchange.choices import ALLOWED, ImportStatus
from exchange.models import ImportJob, ImportRowError

log = logging.getLogger(__name__)

BATCH = 1000
SAMPLE = 10
MAX_ROWS = 200_000


def take(job: ImportJob, source: str, target: str, **fields) -> bool:
    """Move the job along one edge of its lifecycle by compare-and-set; False when another got there first."""
    assert target in ALLOWED[source], (source, target)
    moved = ImportJob.objects.filter(pk=job.pk, status=source).update(status=target, updated_at=timezone.now(),
                                                                     **fields)
    if moved:
        job.status = target
        for name, value in fields.items():
            setattr(job, name, value)
    return bool(moved)


def _batches(job: ImportJob, catalogue: Catalogue) -> Iterator[list[Row]]:
    """The file's rows, checked, BATCH at a time (serials against the file so far and the database)."""
    seen: dict[str, int] = {}
    with job.file.open("rb") as stream:
        _mapping, rows = sheets.read(stream, job.file_format)
        count = 0
        while chunk := list(islice(rows, BATCH)):
            count += len(chunk)
            if count > MAX_ROWS:
                raise DomainError(gettext("The sheet has more rows than one import takes (200,000): split it."))
            checked = [check_row(number, cells, catalogue) for number, cells in chunk]
            check_serials(checked, catalogue, seen)
            yield checked


def _errors(job: ImportJob, rows: list[Row]) -> list[ImportRowError]:
    return [ImportRowError(job=job, row_number=row.number, column=column, code=code, message=message[:300],
                           values=row.values)
            for row in rows for column, code, message in row.errors]


def _fail(job: ImportJob, source: str, error: Exception) -> None:
    message = str(error.message) if isinstance(error, DomainError) else gettext("The file could not be read.")
    if not isinstance(error, DomainError):
        log.exception("import %s failed", job.pk)
    take(job, source, ImportStatus.FAILED, failure=message[:300], finished_at=timezone.now())


def run_preview(job_id: int) -> None:
    """Check every row and store each refused row's reasons; nothing else is written. Runs once per job."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or not take(job, ImportStatus.UPLOADED, ImportStatus.PREVIEWING):
        return
    try:
        with job.file.open("rb") as stream:
            ImportJob.objects.filter(pk=job.pk).update(total_rows=sheets.count_rows(stream, job.file_format))
        total = valid = refused = 0
        sample: list[dict] = []
        catalogue = Catalogue.of(job.brand_id)
        for rows in _batches(job, catalogue):
            good = [row for row in rows if row.valid]
            sample.extend({"row": row.number, **row.values} for row in good[:SAMPLE - len(sample)])
            total, valid, refused = total + len(rows), valid + len(good), refused + len(rows) - len(good)
            with transaction.atomic():
                ImportRowError.objects.bulk_create(_errors(job, rows))
                ImportJob.objects.filter(pk=job.pk).update(processed_rows=total)
    except Exception as error:  # noqa: BLE001 - any failure ends the job as failed, with its reason
        _fail(job, ImportStatus.PREVIEWING, error)
        return
    take(job, ImportStatus.PREVIEWING, ImportStatus.PREVIEWED, total_rows=total, valid_rows=valid,
         refused_rows=refused, processed_rows=total, sample=sample, finished_at=timezone.now())


def run_import(job_id: int) -> None:
    """Check each batch again (the database may have moved since the preview) and write its valid rows in one
    transaction; the refused rows' reasons replace the preview's. Runs for a job the commit moved to importing."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.IMPORTING).first()
    if job is None:
        return
    ImportRowError.objects.filter(job=job).delete()
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=0)
    counts = dict(total_rows=0, valid_rows=0, refused_rows=0, written_rows=0, unchanged_rows=0)
    try:
        catalogue = Catalogue.of(job.brand_id)
        for rows in _batches(job, catalogue):
            with transaction.atomic():
                written, unchanged = write_rows(catalogue, rows)
                good = [row for row in rows if row.valid]
                ImportRowError.objects.bulk_create(_errors(job, rows))
                counts["total_rows"] += len(rows)
                counts["valid_rows"] += len(good)
                counts["refused_rows"] += len(rows) - len(good)
                counts["written_rows"] += written
                counts["unchanged_rows"] += unchanged
                ImportJob.objects.filter(pk=job.pk).update(processed_rows=counts["total_rows"], **{
                    k: v for k, v in counts.items() if k != "total_rows"})
    except Exception as error:  # noqa: BLE001 - any failure ends the job as failed; written batches stay
        _fail(job, ImportStatus.IMPORTING, error)
        return
    take(job, ImportStatus.IMPORTING, ImportStatus.DONE, processed_rows=counts["total_rows"],
         finished_at=timezone.now(), **counts)


def _customer_ids(brand_id: int, rows: list[Row]) -> dict[str, int]:
    """The customers of the rows' phones, those the brand lacks created (one per phone: the first row's)."""
    firsts: dict[str, Row] = {}
    for row in rows:
        firsts.setdefault(row.clean["phone"], row)
    known = dict(Customer.objects.filter(brand_id=brand_id, phone__in=firsts, duplicate_reason="")
                 .values_list("phone", "pk"))
    new = [Customer(brand_id=brand_id, kind=CustomerKind.HOUSEHOLD, name=row.clean["name"], phone=phone,
                    segment=row.clean["segment"])
           for phone, row in firsts.items() if phone not in known]
    if new:
        # A customer another import created meanwhile is kept (the one-per-phone constraint), then read back.
        Customer.objects.bulk_create(new, ignore_conflicts=True)
        known.update(Customer.objects.filter(brand_id=brand_id, phone__in=[c.phone for c in new],
                                             duplicate_reason="").values_list("phone", "pk"))
    return known


def _site_ids(rows: list[Row], customers: dict[str, int]) -> dict[tuple[int, str], int]:
    """The sites of the rows (a customer's site is matched by its address), those missing created."""
    wanted: dict[tuple[int, str], Row] = {}
    for row in rows:
        wanted.setdefault((customers[row.clean["phone"]], row.clean["address"]), row)
    customer_ids = {c for c, _a in wanted}
    addresses = {a for _c, a in wanted}

    def existing() -> dict[tuple[int, str], int]:
        found: dict[tuple[int, str], int] = {}
        for pk, customer_id, address in Site.objects.filter(customer_id__in=customer_ids, address__in=addresses) \
                .order_by("pk").values_list("pk", "customer_id", "address"):
            found.setdefault((customer_id, address), pk)
        return found

    known = existing()
    new = [Site(customer_id=customer_id, address=address, region_id=row.clean["region"],
                name=row.clean["site_name"] or gettext("Home"))
           for (customer_id, address), row in wanted.items() if (customer_id, address) not in known]
    if new:
        Site.objects.bulk_create(new)
        known = existing()
    return known


def write_rows(catalogue: Catalogue, rows: list[Row]) -> tuple[int, int]:
    """Write a checked batch's valid rows (in the caller's transaction): customers, sites, products. Returns
    (written, unchanged); a row whose serial turns out to be another customer's is refused on it."""
    unchanged = sum(1 for row in rows if row.valid and row.unchanged)
    todo = [row for row in rows if row.valid and not row.unchanged]
    if not todo:
        return 0, unchanged
    customers = _customer_ids(catalogue.brand_id, todo)
    sites = _site_ids(todo, customers)
    products = []
    for row in todo:
        c = row.clean
        start = c["install_date"] or c["purchase_date"]
        products.append(InstalledProduct(
            brand_id=catalogue.brand_id, serial=c["serial"], product_model_id=c["model"].id,
            customer_id=customers[c["phone"]], site_id=sites[(customers[c["phone"]], c["address"])],
            purchase_date=c["purchase_date"], install_date=c["install_date"],
            # save() is not called by bulk_create: the warranty's end is computed as InstalledProduct does.
            warranty_end=add_months(start, c["model"].warranty_months) if start else None,
            status=ProductStatus.ACTIVE if c["install_date"] else ProductStatus.SOLD,
        ))
    InstalledProduct.objects.bulk_create(products, ignore_conflicts=True)
    # Which inserts were ours: each new unit got a random QR token, so a row already there (written meanwhile by
    # another import) has another token, and is unchanged when it is the same customer's, else refused.
    found = {serial: (customer_id, token) for serial, customer_id, token in InstalledProduct.objects.filter(
        brand_id=catalogue.brand_id, serial__in=[p.serial for p in products]).values_list(
        "serial", "customer_id", "qr_token")}
    written = 0
    for row, product in zip(todo, products, strict=True):
        owner, token = found.get(product.serial, (None, None))
        if token == product.qr_token:
            written += 1
        elif owner == product.customer_id:
            row.unchanged = True
            unchanged += 1
        else:
            row.refuse("serial", "serial_taken", gettext("This serial is already another customer's unit."))
    return written, unchanged
