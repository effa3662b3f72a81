"""The installed base's import at scale (docs/imports.md): N generated rows (default 100,000) checked (the preview)
and imported, beside a baseline measured in the same run: the bare bulk_create of the same customers, sites and
products in batches of 1,000 (what the import costs beyond writing the rows).

The database is the environment's: DATABASE_URL (PostgreSQL) or SQLITE_PATH (default var/bench_imports.sqlite3);
it is migrated first, and each run uses brands of its own, so runs can follow each other.

    .venv/bin/python bench/imports.py [--rows 100000] [--format xlsx|csv]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_imports .venv/bin/python bench/imports.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("SQLITE_PATH", str(ROOT / "var" / "bench_imports.sqlite3"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="csv")
    args = parser.parse_args()

    import django

    django.setup()
    import tempfile

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.choices import Role
    from accounts.principal import principal_of
    from accounts.tests.factories import BrandFactory
    from catalog.tests.factories import CategoryFactory, ProductModelFactory
    from conftest import _member
    from customers.models import Customer, InstalledProduct, Site
    from exchange import runner, services
    from exchange.checks import Catalogue
    from exchange.choices import ImportStatus
    from exchange.tests.factories import good_row, sheet
    from network.tests.factories import RegionFactory

    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    call_command("migrate", "--noinput", verbosity=0)
    tag = str(int(time.time()))
    n = args.rows

    def world(code: str):
        brand = BrandFactory(code=f"{code}-{tag}", name=f"{code} {tag}")
        RegionFactory(brand=brand, code="hangzhou", name="杭州")
        ProductModelFactory(category=CategoryFactory(brand=brand, code="purifier"), code="RO-500")
        return brand, _member(brand, Role.DISPATCHER, f"{code}-{tag}")

    rows = [good_row(i) for i in range(n)]
    for i in range(n):  # 100,000 distinct valid phones: 137 + 8 digits
        rows[i][1] = f"137{i:08d}"
    started = time.perf_counter()
    content = sheet(rows, args.format)
    made = time.perf_counter() - started

    # Baseline: the same rows written by bare bulk_create, no checks, batches of 1,000, one transaction each.
    brand, _user = world("bench-base")
    catalogue = Catalogue.of(brand.pk)
    model = next(iter(catalogue.models.values()))
    region = next(iter(catalogue.regions.values()))
    started = time.perf_counter()
    for at in range(0, n, runner.BATCH):
        chunk = rows[at:at + runner.BATCH]
        with transaction.atomic():
            customers = Customer.objects.bulk_create(
                [Customer(brand=brand, name=r[0], phone="+86" + r[1]) for r in chunk])
            sites = Site.objects.bulk_create([Site(customer=c, name="家", address=r[2], region_id=region)
                                              for c, r in zip(customers, chunk, strict=True)])
            InstalledProduct.objects.bulk_create([
                InstalledProduct(brand=brand, serial=r[5], product_model_id=model.id, customer=c, site=s)
                for c, s, r in zip(customers, sites, chunk, strict=True)])
    baseline = time.perf_counter() - started

    brand, user = world("bench-import")
    actor = principal_of(user)
    services.enqueue_preview = lambda job_id: None  # the bench runs each stage itself, timed
    services.enqueue_import = lambda job_id: None
    job = services.create_job(actor=actor, kind="installed_base",
                              upload=SimpleUploadedFile(f"bench.{args.format}", content))
    started = time.perf_counter()
    runner.run_preview(job.pk)
    preview = time.perf_counter() - started
    job.refresh_from_db()
    assert (job.status, job.valid_rows) == (ImportStatus.PREVIEWED, n), (job.status, job.valid_rows, job.failure)
    services.commit_job(actor=actor, job=job)
    started = time.perf_counter()
    runner.run_import(job.pk)
    imported = time.perf_counter() - started
    job.refresh_from_db()
    assert (job.status, job.written_rows) == (ImportStatus.DONE, n), (job.status, job.written_rows, job.failure)
    again = services.create_job(actor=actor, kind="installed_base",
                                upload=SimpleUploadedFile(f"bench.{args.format}", content))
    runner.run_preview(again.pk)
    services.commit_job(actor=actor, job=again)
    started = time.perf_counter()
    runner.run_import(again.pk)
    reimported = time.perf_counter() - started
    again.refresh_from_db()
    assert (again.written_rows, again.unchanged_rows) == (0, n)

    print(f"database: {connection.vendor}; {n:,} rows, {args.format} of {len(content) / 1e6:.1f} MB "
          f"(made in {made:.1f} s)")
    print(f"baseline: bare bulk_create of the same customers, sites and products: {baseline:6.1f} s")
    print(f"preview:  every row checked, refused rows stored:                    {preview:6.1f} s")
    print(f"import:   checked again and written, batches of {runner.BATCH:,}:                {imported:6.1f} s "
          f"({imported / baseline:.1f}× the baseline)")
    print(f"again:    the same file imported again (all unchanged):             {reimported:6.1f} s")


if __name__ == "__main__":
    main()
