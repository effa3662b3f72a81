"""Imports of the installed base: the preview's reasons per row, the import of only the valid rows, idempotency by
serial, batches, and two imports racing for one serial."""

from __future__ import annotations

import pytest

from accounts.principal import principal_of
from conftest import race
from core.errors import IllegalTransition, PermissionDenied
from customers.models import Customer, InstalledProduct, Site
from exchange import runner, services
from exchange.choices import FileFormat, ImportStatus
from exchange.models import ImportJob, ImportRowError
from exchange.sheets import MissingColumns
from exchange.tests.factories import bad_rows, good_row, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tasks(django_capture_on_commit_callbacks):
    """Run what a service queues on commit (the tasks), as the immediate backend does after a real commit."""

    def run(call, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(**kwargs)

    return run


def _state():
    return (list(Customer.objects.order_by("pk").values_list("pk", "name", "phone")),
            list(Site.objects.order_by("pk").values_list("pk", "customer_id", "address")),
            list(InstalledProduct.objects.order_by("pk").values_list("pk", "serial", "customer_id", "site_id")))


def _import(world, tasks, rows, fmt=FileFormat.XLSX) -> ImportJob:
    actor = principal_of(world.dispatcher)
    job = tasks(services.create_job, actor=actor, kind="installed_base", upload=upload(rows, fmt))
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED
    return tasks(services.commit_job, actor=actor, job=job)


@pytest.mark.parametrize("fmt", [FileFormat.XLSX, FileFormat.CSV])
def test_preview_explains_each_bad_row_and_writes_nothing(world, tasks, fmt):
    rows = [good_row(i) for i in range(3)]
    bad, codes = bad_rows(3)
    rows += bad
    rows.append(good_row(1))  # the serial of data row 1 again: a duplicate within the file
    rows.append(["王芳", "13900000001", "杭州市上城区 1 号", "", "RO-500", "SN-B-0001", "", "", "", ""])  # another's
    before = _state()

    job = tasks(services.create_job, actor=principal_of(world.dispatcher), kind="installed_base",
                upload=upload(rows, fmt))

    job.refresh_from_db()
    assert (job.status, job.total_rows, job.valid_rows, job.refused_rows) == (ImportStatus.PREVIEWED, 11, 3, 8)
    found = {(e.row_number, e.column, e.code) for e in ImportRowError.objects.filter(job=job)}
    expected = {(i + 2, col, code) for i, code in codes.items()
                for col in [{"invalid_phone": "phone", "unknown_model": "model", "date_order": "install_date",
                             "date_in_future": "install_date", "required": "name",
                             "invalid_date": "purchase_date"}[code]]}
    expected |= {(11, "serial", "duplicate_serial"), (12, "serial", "serial_taken")}
    assert found == expected
    dup = ImportRowError.objects.get(job=job, code="duplicate_serial")
    assert dup.message == "文件第 3 行有相同的序列号。"
    assert dup.values["serial"] == "IMP-000001"
    assert [s["row"] for s in job.sample] == [2, 3, 4]
    assert _state() == before


def test_import_writes_only_valid_rows_and_again_changes_nothing(world, tasks):
    rows = [good_row(i) for i in range(5)] + bad_rows(5)[0]
    rows.append(good_row(0)[:5] + ["IMP-SECOND"] + good_row(0)[6:])  # the same customer's second unit, same site
    job = _import(world, tasks, rows)
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.valid_rows, job.written_rows, job.unchanged_rows, job.refused_rows) == \
        (ImportStatus.DONE, 12, 6, 6, 0, 6)
    first = InstalledProduct.objects.get(serial="IMP-000000")
    assert (first.customer.name, first.customer.phone, first.site.address, first.site.region_id,
            str(first.purchase_date), str(first.install_date), str(first.warranty_end), first.status) == \
        ("客户00000", "+8613800000000", "杭州市西湖区文三路 0 号", world.region.pk, "2024-03-01", "2024-03-05",
         "2025-03-05", "active")
    assert InstalledProduct.objects.get(serial="IMP-SECOND").site_id == first.site_id
    assert first.qr_token and len(first.qr_token) == 12
    after = _state()

    again = _import(world, tasks, rows)

    again.refresh_from_db()
    assert (again.status, again.written_rows, again.unchanged_rows, again.refused_rows) == (ImportStatus.DONE, 0, 6, 6)
    assert _state() == after


def test_import_batches_commit_each_batch(world, tasks, monkeypatch):
    monkeypatch.setattr(runner, "BATCH", 4)
    rows = [good_row(i) for i in range(10)]
    job = _import(world, tasks, rows, FileFormat.CSV)
    job.refresh_from_db()
    assert (job.status, job.written_rows, job.processed_rows) == (ImportStatus.DONE, 10, 10)
    assert InstalledProduct.objects.filter(serial__startswith="IMP-").count() == 10


def test_a_failing_batch_rolls_back_alone(world, tasks, monkeypatch):
    monkeypatch.setattr(runner, "BATCH", 4)
    calls = []
    real = runner.write_rows

    def second_batch_breaks(catalogue, rows):
        calls.append(len(rows))
        written = real(catalogue, rows)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return written

    monkeypatch.setattr(runner, "write_rows", second_batch_breaks)
    job = _import(world, tasks, [good_row(i) for i in range(10)])
    job.refresh_from_db()
    assert (job.status, job.written_rows, job.failure) == (ImportStatus.FAILED, 4, "文件无法读取。")
    assert sorted(InstalledProduct.objects.filter(serial__startswith="IMP-").values_list("serial", flat=True)) == \
        [f"IMP-{i:06d}" for i in range(4)]


def test_commit_twice_is_refused(world, tasks):
    job = _import(world, tasks, [good_row(0)])
    before = _state()
    with pytest.raises(IllegalTransition):
        services.commit_job(actor=principal_of(world.dispatcher), job=job)
    assert _state() == before


def test_roles_that_do_not_keep_customers_may_not_import(world):
    with pytest.raises(PermissionDenied):
        services.create_job(actor=principal_of(world.analyst), kind="installed_base", upload=upload([good_row(0)]))
    assert ImportJob.objects.count() == 0


def test_a_sheet_without_the_required_columns_is_refused_at_upload(world):
    with pytest.raises(MissingColumns) as refused:
        services.create_job(actor=principal_of(world.dispatcher), kind="installed_base",
                            upload=upload([["x", "y"]], header=["姓名", "手机"]))
    assert refused.value.detail["missing"] == ["address", "model", "serial"]
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_imports_racing_for_one_serial_write_it_once(world):
    actor = principal_of(world.dispatcher)
    jobs = []
    for _n in range(2):  # transactional test: the tasks run for real after each commit
        job = services.create_job(actor=actor, kind="installed_base",
                                  upload=upload([good_row(i) for i in range(30)]))
        job.refresh_from_db()
        jobs.append(job)
    # Both checked before either writes, then asked to write at once.
    ImportJob.objects.filter(pk__in=[j.pk for j in jobs]).update(status=ImportStatus.IMPORTING)

    race(lambda i: runner.run_import(jobs[i].pk), 2)

    done = list(ImportJob.objects.filter(pk__in=[j.pk for j in jobs]).values_list("status", "written_rows",
                                                                                   "unchanged_rows"))
    assert all(status == ImportStatus.DONE for status, _w, _u in done)
    assert sum(w for _s, w, _u in done) == 30 and sum(u for _s, _w, u in done) == 30
    assert InstalledProduct.objects.filter(serial__startswith="IMP-").count() == 30
    assert Customer.objects.filter(name__startswith="客户").count() == 30


def test_a_chinese_excels_csv_and_number_cells_are_read(world, tasks):
    """A csv saved by a Chinese Excel is GB 18030, not UTF-8; an xlsx may hold the phone and serial as numbers."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from exchange.tests.factories import HEADER, sheet

    text = ",".join(HEADER) + "\n" + ",".join(good_row(1)) + "\n"
    gbk = tasks(services.create_job, actor=principal_of(world.dispatcher), kind="installed_base",
                upload=SimpleUploadedFile("导出.csv", text.encode("gb18030")))
    numbers = good_row(2)
    numbers[1], numbers[5] = 13800000002, 20240001
    xlsx = tasks(services.create_job, actor=principal_of(world.dispatcher), kind="installed_base",
                 upload=SimpleUploadedFile("numbers.xlsx", sheet([numbers])))
    gbk.refresh_from_db()
    xlsx.refresh_from_db()
    assert (gbk.status, gbk.valid_rows, gbk.sample[0]["name"], gbk.sample[0]["address"]) == \
        (ImportStatus.PREVIEWED, 1, "客户00001", "杭州市西湖区文三路 1 号")
    assert (xlsx.valid_rows, xlsx.sample[0]["phone"], xlsx.sample[0]["serial"]) == (1, "13800000002", "20240001")
