"""Photos of a mail-in unit as it came out of the box, taken at receiving: by the bench's page (uploaded with the step,
or none of them), by the API (photos added to the order first, then named), and seen by the customer on the tracking
page; a bad file or another order's photo refuses the step and stores nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import token_client
from logistics.choices import Hop
from logistics.models import MailIn, MailInStep
from logistics.tests.setup import book, collected_and_arrived, prepare_mail_in
from workorders.models import WorkOrderAttachment
from workorders.tests.factories import make_order
from workorders.tests.intake_setup import photo_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return prepare_mail_in(world)


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def jpeg(name: str = "side.jpg", color=(200, 40, 40)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, photo_bytes(size=(800, 600), color=color), content_type="image/jpeg")


def files_on(case: MailIn) -> list[int]:
    return list(WorkOrderAttachment.objects.filter(work_order_id=case.work_order_id).values_list("pk", flat=True))


def test_the_bench_receives_with_photos_and_the_customer_sees_them_on_the_tracking_page(w):
    case = collected_and_arrived(w, book(w))
    desk = client_for(w.bench)

    response = desk.post(f"/console/bench/{case.work_order_id}/receive/", {
        "version": case.version, "serial": "SN-A-0001", "condition": "外壳有划痕",
        "photos": [jpeg("front.jpg"), jpeg("plate.jpg", (10, 10, 10))]})

    assert response.status_code == 302, response.content.decode()[:1500]
    case.refresh_from_db()
    assert case.hop == Hop.RECEIVED and len(case.condition_photos) == 2
    assert sorted(case.condition_photos) == sorted(files_on(case))
    stored = WorkOrderAttachment.objects.filter(pk__in=case.condition_photos)
    assert {(a.kind, a.customer_visible, a.uploaded_by_id) for a in stored} == {("photo", True, w.bench.pk)}
    step = MailInStep.objects.get(mail_in=case, hop=Hop.RECEIVED)
    assert step.data["photos"] == case.condition_photos

    page = desk.get(f"/console/bench/{case.work_order_id}/").content.decode()
    assert 'id="case-photos"' in page
    for pk in case.condition_photos:
        assert f"/api/v1/workorders/attachments/{pk}" in page
        assert desk.get(f"/api/v1/workorders/attachments/{pk}").status_code == 200

    # The customer sees how the unit arrived, on the order's tracking page and through the API.
    customer = client_for(w.customer.user)
    tracking = customer.get(f"/portal/{w.brand.code}/orders/{case.work_order_id}/").content.decode()
    assert 'id="arrival-photos"' in tracking
    for pk in case.condition_photos:
        assert f"/api/v1/workorders/attachments/{pk}" in tracking
        fetched = customer.get(f"/api/v1/workorders/attachments/{pk}")
        assert fetched.status_code == 200 and fetched["Content-Type"] == "image/jpeg"
    seen = token_client(w.customer.user).get(f"/api/v1/workorders/{case.work_order_id}/mail-in").json()
    assert seen["condition_photo_ids"] == case.condition_photos
    # Another customer fetches none of them.
    other = client_for(w.other_customer.user)
    assert all(other.get(f"/api/v1/workorders/attachments/{pk}").status_code == 404
               for pk in case.condition_photos)


def test_a_file_that_is_not_a_photo_or_too_many_refuse_the_step_and_store_nothing(w):
    case = collected_and_arrived(w, book(w))
    desk = client_for(w.bench)

    bad = SimpleUploadedFile("note.jpg", b"not an image at all", content_type="image/jpeg")
    response = desk.post(f"/console/bench/{case.work_order_id}/receive/", {
        "version": case.version, "serial": "SN-A-0001", "photos": [jpeg(), bad]})
    assert response.status_code == 422
    assert 'id="error-photos">This file is not a photo we can use' in response.content.decode()
    case.refresh_from_db()
    assert case.hop == Hop.ARRIVED and files_on(case) == [] and case.condition_photos == []

    response = desk.post(f"/console/bench/{case.work_order_id}/receive/", {
        "version": case.version, "serial": "SN-A-0001", "photos": [jpeg() for _ in range(6)]})
    assert response.status_code == 422 and 'id="error-photos">Send at most 5 photos.' in response.content.decode()
    case.refresh_from_db()
    assert case.hop == Hop.ARRIVED and files_on(case) == []


def test_the_api_names_photos_added_to_the_order_first_and_refuses_another_orders(w):
    case = collected_and_arrived(w, book(w))
    desk = token_client(w.bench)
    added = desk.post(f"/api/v1/workorders/{case.work_order_id}/attachments",
                      {"photos": [jpeg("a.jpg"), jpeg("b.jpg")]})
    assert added.status_code == 201, added.content
    ids = [a["id"] for a in added.json()]

    elsewhere = make_order(w)
    foreign = WorkOrderAttachment.objects.create(work_order=elsewhere, kind="photo", content_type="image/jpeg",
                                                 size=1, file="workorders/x/y.jpg")
    refused = desk.post(f"/api/v1/workorders/{case.work_order_id}/receive",
                        {"serial": "SN-A-0001", "photo_ids": [ids[0], foreign.pk]}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["code"] == "invalid"
    assert refused.json()["field"] == "photos"
    case.refresh_from_db()
    assert case.hop == Hop.ARRIVED

    got = desk.post(f"/api/v1/workorders/{case.work_order_id}/receive",
                    {"serial": "SN-A-0001", "photo_ids": ids}, content_type="application/json")
    assert got.status_code == 200 and got.json()["condition_photo_ids"] == ids
    case.refresh_from_db()
    assert case.condition_photos == ids
