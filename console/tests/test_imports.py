"""The console's imports page (upload, preview with each refused row's reasons, import, result) and the lists'
exports with the lists' filters, scoped as the lists are."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from customers.models import InstalledProduct
from exchange.models import ImportJob
from exchange.tests.factories import bad_rows, good_row, sheet
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_upload_preview_and_import_on_the_page(world, django_capture_on_commit_callbacks):
    client = _client(world.dispatcher)
    page = client.get("/console/imports/")
    assert page.status_code == 200
    assert 'data-nav="imports"' in page.content.decode()

    rows = [good_row(i) for i in range(3)] + bad_rows(3)[0]
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post("/console/imports/", {"kind": "installed_base",
                                                   "file": SimpleUploadedFile("base.xlsx", sheet(rows))})
    job = ImportJob.objects.get()
    assert (posted.status_code, posted["Location"]) == (302, f"/console/imports/{job.pk}/")
    html = client.get(f"/console/imports/{job.pk}/").content.decode()
    assert html.count('class="row-refused"') == 6 and html.count('class="row-valid"') == 3
    assert html.index('data-row="5"') < html.index('data-row="2"')  # refused rows first
    assert "不是有效的电话号码" in html or 'data-code="invalid_phone"' in html
    only = client.get(f"/console/imports/{job.pk}/", {"only": "refused"}).content.decode()
    assert only.count('class="row-refused"') == 6 and 'class="row-valid"' not in only

    with django_capture_on_commit_callbacks(execute=True):
        committed = client.post(f"/console/imports/{job.pk}/commit/")
    assert committed.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.written_rows) == ("done", 3)
    assert InstalledProduct.objects.filter(serial__startswith="IMP-").count() == 3
    again = client.post(f"/console/imports/{job.pk}/commit/")
    assert again.status_code == 409 and 'id="import-error"' in again.content.decode()


def test_a_bad_file_is_refused_beside_the_field(world):
    client = _client(world.dispatcher)
    got = client.post("/console/imports/", {"kind": "installed_base", "file": SimpleUploadedFile("x.xlsx", b"zz")})
    assert got.status_code == 422 and 'id="error-file"' in got.content.decode()
    assert "error-file\"></span>" not in got.content.decode()
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("persona", ["analyst", "manager_a"])
def test_other_seats_are_refused(world, persona):
    client = _client(getattr(world, persona))
    assert client.get("/console/imports/").status_code == 403
    assert 'data-nav="imports"' not in client.get("/console/").content.decode()


def test_the_template_downloads_with_both_languages_headers(world):
    got = _client(world.dispatcher).get("/console/imports/template.xlsx")
    book = load_workbook(io.BytesIO(b"".join(got.streaming_content)), read_only=True)
    header = next(book.worksheets[0].iter_rows(values_only=True))
    assert header[:3] == ("客户姓名/name", "手机/phone", "地址/address")


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_order_export_takes_the_lists_filters_and_scope(world):
    a = make_order(world, status=Status.ACCEPTED)
    b = make_order(world, status=Status.DISPATCHED, customer=world.other_customer, product=world.other_product,
                   outlet=world.outlet_b, technician=world.tech_b)
    client = _client(world.dispatcher)
    listed = client.get("/console/", {"status": "dispatched"}).content.decode()
    assert 'href="/console/exports/orders.xlsx?status=dispatched"' in listed
    assert [r[0] for r in _csv(client.get("/console/exports/orders.csv", {"status": "dispatched"}))[1:]] == [b.number]
    outlet = _client(world.manager_a)
    assert [r[0] for r in _csv(outlet.get("/console/exports/orders.csv"))[1:]] == [a.number]
    assert [r[5] for r in _csv(outlet.get("/console/exports/products.csv"))[1:]] == [world.product.serial]
    assert client.get("/console/exports/secrets.csv").status_code == 404


def test_a_running_import_is_polled_with_its_progress(world):
    from exchange.tests.factories import finished_job

    job = finished_job(world)
    ImportJob.objects.filter(pk=job.pk).update(status="importing", total_rows=5000, processed_rows=2000)
    client = _client(world.dispatcher)
    part = client.get(f"/console/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert part.startswith('\n<section id="import-job"') or part.lstrip().startswith('<section id="import-job"')
    assert 'hx-trigger="every 1s"' in part and '<progress id="import-progress" max="100" value="40">' in part
    ImportJob.objects.filter(pk=job.pk).update(status="done")
    done = client.get(f"/console/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and "import-progress" not in done
