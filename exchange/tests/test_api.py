"""The imports' and exports' API: upload → preview → commit, refusals with their codes, scoped exports."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from conftest import token_client
from customers.models import InstalledProduct
from exchange.choices import ImportStatus
from exchange.models import ImportJob
from exchange.tests.factories import bad_rows, good_row, sheet
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _post(client, content: bytes, name="base.xlsx", kind="installed_base"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/api/v1/imports", {"file": SimpleUploadedFile(name, content), "kind": kind})


def test_upload_preview_commit(world, django_capture_on_commit_callbacks):
    client = token_client(world.dispatcher)
    rows = [good_row(i) for i in range(4)] + bad_rows(4)[0][:2]
    with django_capture_on_commit_callbacks(execute=True):
        created = _post(client, sheet(rows))
    assert (created.status_code, created.json()["status"]) == (202, "uploaded")  # checked in the background
    body = client.get(f"/api/v1/imports/{created.json()['id']}").json()
    assert (body["status"], body["total_rows"], body["valid_rows"], body["refused_rows"], body["progress"]) == \
        ("previewed", 6, 4, 2, 100)
    assert [(r["row_number"], [x["code"] for x in r["reasons"]]) for r in body["refused"]["items"]] == \
        [(6, ["invalid_phone"]), (7, ["unknown_model"])]
    assert body["refused"]["items"][0]["values"]["phone"] == "12345"
    assert InstalledProduct.objects.filter(serial__startswith="IMP-").count() == 0

    page = client.get(f"/api/v1/imports/{body['id']}", {"page": 2, "page_size": 1}).json()
    assert [r["row_number"] for r in page["refused"]["items"]] == [7]

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/api/v1/imports/{body['id']}/commit")
    assert (done.status_code, done.json()["status"]) == (202, "importing")
    done = client.get(f"/api/v1/imports/{body['id']}")
    assert (done.json()["status"], done.json()["written_rows"], done.json()["progress"]) == ("done", 4, 100)
    again = client.post(f"/api/v1/imports/{body['id']}/commit")
    assert (again.status_code, again.json()["code"]) == (409, "illegal_transition")
    assert InstalledProduct.objects.filter(serial__startswith="IMP-").count() == 4


@pytest.mark.parametrize(("content", "name", "kind", "status", "code"), [
    (b"not a zip", "base.xlsx", "installed_base", 422, "bad_file"),
    (b"a,b\n1,2\n", "base.txt", "installed_base", 422, "bad_file"),
    (None, "base.xlsx", "customers_only", 422, "unknown_kind"),
    ("客户姓名,手机\n张三,13800000000\n".encode(), "base.csv", "installed_base", 422, "missing_columns"),
    (b"", "base.csv", "installed_base", 422, "bad_file"),
])
def test_bad_uploads_are_refused_with_a_code_and_nothing_stored(world, content, name, kind, status, code):
    client = token_client(world.dispatcher)
    got = _post(client, sheet([good_row(0)]) if content is None else content, name=name, kind=kind)
    assert (got.status_code, got.json()["code"]) == (status, code)
    assert ImportJob.objects.count() == 0


def test_too_big_is_413(world, settings):
    settings.IMPORT_MAX_BYTES = 100
    got = _post(token_client(world.dispatcher), sheet([good_row(i) for i in range(20)]))
    assert (got.status_code, got.json()["code"]) == (413, "too_large")
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("persona", ["analyst", "manager_a", "tech_a"])
def test_other_roles_may_not_import(world, persona):
    user = world.tech_a.user if persona == "tech_a" else getattr(world, persona)
    got = _post(token_client(user), sheet([good_row(0)]))
    assert (got.status_code, got.json()["code"]) == (403, "forbidden")
    assert ImportJob.objects.count() == 0


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_exports_follow_the_lists_filters_and_scope(world):
    a = make_order(world, status=Status.ACCEPTED)  # outlet A
    b = make_order(world, status=Status.DISPATCHED, customer=world.other_customer, product=world.other_product,
                   outlet=world.outlet_b, technician=world.tech_b)
    brand = token_client(world.dispatcher)
    rows = _csv(brand.get("/api/v1/exports/orders.csv"))
    assert rows[0][:3] == ["编号", "状态", "类型"]
    assert sorted(r[0] for r in rows[1:]) == sorted([a.number, b.number])
    only = _csv(brand.get("/api/v1/exports/orders.csv", {"status": "dispatched"}))
    assert [r[0] for r in only[1:]] == [b.number]
    outlet = _csv(token_client(world.manager_a).get("/api/v1/exports/orders.csv"))
    assert [r[0] for r in outlet[1:]] == [a.number]

    book = load_workbook(io.BytesIO(b"".join(token_client(world.manager_a).get(
        "/api/v1/exports/products.xlsx").streaming_content)), read_only=True)
    serials = [r[5] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert serials == [world.product.serial]
    phones = [r[1] for r in _csv(brand.get("/api/v1/exports/customers.csv", {"q": "13900000002"}))[1:]]
    assert phones == ["+8613900000002"]
    rival = _csv(token_client(world.rival_dispatcher).get("/api/v1/exports/customers.csv"))
    assert [r[1] for r in rival[1:]] == ["+8613900000003"]


def test_export_round_trips_into_the_import(world, django_capture_on_commit_callbacks):
    client = token_client(world.dispatcher)
    exported = b"".join(client.get("/api/v1/exports/products.xlsx").streaming_content)
    with django_capture_on_commit_callbacks(execute=True):
        created = _post(client, exported).json()
    body = client.get(f"/api/v1/imports/{created['id']}").json()
    assert (body["status"], body["total_rows"], body["refused_rows"]) == (ImportStatus.PREVIEWED, 2, 0)
