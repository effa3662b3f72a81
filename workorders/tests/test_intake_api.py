"""The intake API over real HTTP: preview, requests, attachments; bad input is a 4xx with a code."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.principal import principal_of
from conftest import token_client
from customers.tests.factories import SiteFactory
from dispatch.selectors import offer_slots
from workorders.attachments import add_photos
from workorders.models import WorkOrder, WorkOrderAttachment, WorkOrderEvent
from workorders.tests.factories import make_order
from workorders.tests.intake_setup import only_outlet_a_with_one_job_per_window, photo_bytes, prepare_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_intake(world)


def post_json(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def iso(t):
    return t.isoformat()


def counts():
    return WorkOrder.objects.count(), WorkOrderEvent.objects.count(), WorkOrderAttachment.objects.count()


# --- preview ---------------------------------------------------------------------------------------------


def test_a_customer_previews_their_product(w, api_as):
    make_order(w)  # an open order of this product: the duplicate warning

    resp = api_as("customer").get(f"/api/v1/workorders/intake/products/{w.product.pk}",
                                  {"service_type": "repair", "symptom_code": "frozen"}, HTTP_ACCEPT_LANGUAGE="en")

    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert (body["product_id"], body["service_type"], body["symptom_code"]) == (w.product.pk, "repair", "frozen")
    quote = body["quote"]
    assert quote["warranty"]["covered"] is False and quote["warranty"]["code"] == "excluded"
    assert [(li["code"], li["gross"], li["customer_pays"], li["covered"]) for li in quote["lines"]] == [
        ("repair", "80.00", "80.00", False), ("callout", "0.00", "0.00", False)]
    assert quote["lines"][0]["description"] == "Labour: Repair"
    assert quote["total"] == "80.00" and quote["price_list"]["name"] == "标准服务价目表"
    assert body["quote_unavailable"] is None
    assert [d["status"] for d in body["duplicates"]] == ["new"]
    assert body["slots"] and body["slots"][0]["outlet_id"] == w.outlet_a.pk and body["slots"][0]["free"] == 2
    assert body["slots"][0]["start"].endswith("Z")
    assert {"code": "no-water", "name": "No water comes out", "excludes_warranty": False} in body["symptoms"]
    assert body["mail_in_allowed"] is False


@pytest.mark.parametrize(("params", "status", "code"), [
    ({"service_type": "teleport"}, 422, "validation_error"),
    ({"service_type": "repair", "symptom_code": "no-such"}, 422, "invalid"),
    ({"service_type": "mail_in"}, 422, "mail_in_not_allowed"),
])
def test_preview_refuses_bad_input_with_a_code(w, api_as, params, status, code):
    resp = api_as("hotline").get(f"/api/v1/workorders/intake/products/{w.product.pk}", params)
    assert (resp.status_code, resp.json()["code"]) == (status, code)


def test_preview_of_a_foreign_product_is_404(w, api_as):
    for persona, product in (("customer", w.other_product), ("rival_dispatcher", w.product)):
        resp = api_as(persona).get(f"/api/v1/workorders/intake/products/{product.pk}")
        assert (resp.status_code, resp.json()["code"]) == (404, "not_found")


def test_preview_without_a_price_list_says_why(w, api_as):
    from pricing.models import PriceList

    PriceList.objects.filter(brand=w.brand).delete()
    body = api_as("hotline").get(f"/api/v1/workorders/intake/products/{w.product.pk}").json()
    assert body["quote"] is None and body["quote_unavailable"]["code"] == "no_price_list"


# --- requests --------------------------------------------------------------------------------------------


def test_a_customer_requests_a_repair_with_a_slot(w, api_as):
    slot = offer_slots(product=w.product, service_type="repair")[0]

    resp = post_json(api_as("customer"), "/api/v1/workorders/intake/requests", {
        "service_type": "repair", "product_id": w.product.pk, "symptom_code": "leak", "description": "水漫出来了",
        "slot_start": iso(slot.start), "slot_end": iso(slot.end)})

    assert resp.status_code == 201, resp.content
    body = resp.json()
    order = WorkOrder.objects.get(pk=body["id"])
    assert (body["channel"], body["status"], body["outlet_id"]) == ("portal", "assigned", slot.outlet_id)
    assert (body["customer"]["id"], body["reported_symptom_code"], body["symptom"]) == (
        w.customer.pk, "leak", "水漫出来了")
    assert body["estimate_total"] == "0.00" and order.estimate_total == Decimal("0.00")
    assert body["estimate"] == order.estimate and body["estimate"]["available"] is True
    assert "cancel" in body["allowed_actions"]


def test_staff_name_the_customer_and_an_integration_token_can_replay(w, api_as):
    client = api_as("hotline")
    body = {"customer_id": w.customer.pk, "service_type": "maintenance", "product_id": w.product.pk}

    first = post_json(client, "/api/v1/workorders/intake/requests", body, **{"Idempotency-Key": "call-1"})
    again = post_json(client, "/api/v1/workorders/intake/requests", body, **{"Idempotency-Key": "call-1"})

    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert WorkOrder.objects.count() == 1
    assert first.json()["channel"] == "hotline"


@pytest.mark.parametrize(("persona", "body", "status", "field_or_code"), [
    ("hotline", {}, 422, "customer_id"),
    ("hotline", {"customer_id": "rival"}, 422, "customer_id"),
    ("hotline", {"customer_id": "mine", "product_id": "other"}, 422, "product"),
    ("hotline", {"customer_id": "mine", "site_id": "rival_site"}, 422, "site_id"),
    ("customer", {"product_id": "other"}, 422, "product_id"),
    # Priority and channel are the brand's rules for a customer, never the body's (403 field_not_allowed).
    ("customer", {"channel": "hotline"}, 403, "channel"),
    ("customer", {"channel": "portal"}, 403, "channel"),
    ("customer", {"priority": "urgent"}, 403, "priority"),
    ("customer", {"priority": "normal"}, 403, "priority"),
    ("customer", {"symptom_code": "no-such"}, 422, "symptom_code"),
    ("customer", {"slot_start": "2030-01-01T09:00:00"}, 422, "slot_end"),
    ("customer", {"slot_start": "naive", "slot_end": "naive"}, 422, "slot"),
    ("customer", {"service_type": "mail_in"}, 422, "mail_in_not_allowed"),
    ("customer", {"service_type": "teleport"}, 422, "validation_error"),
    ("customer", {"description": "x" * 2001}, 422, "validation_error"),
    ("customer", {"unknown": 1}, 422, "validation_error"),
    ("analyst", {"customer_id": "mine"}, 403, "forbidden"),
])
def test_bad_requests_are_refused_and_create_nothing(w, api_as, persona, body, status, field_or_code):
    slot = offer_slots(product=w.product, service_type="repair")[0]
    ids = {"mine": w.customer.pk, "rival": w.rival_customer.pk, "other": w.other_product.pk,
           "rival_site": SiteFactory(customer=w.rival_customer).pk}
    payload = {"service_type": "repair", "product_id": w.product.pk}
    for key, value in body.items():
        payload[key] = ids.get(value, value) if isinstance(value, str) and key.endswith("_id") else value
    if body.get("slot_start") == "naive":
        payload.update(slot_start=slot.start.replace(tzinfo=None).isoformat(),
                       slot_end=slot.end.replace(tzinfo=None).isoformat())
    if persona != "customer" and "product_id" not in body and payload.get("customer_id") != w.customer.pk:
        payload.pop("product_id")
    before = counts()

    resp = post_json(api_as(persona), "/api/v1/workorders/intake/requests", payload)

    assert resp.status_code == status, resp.content
    error = resp.json()
    assert field_or_code in (error.get("field"), error["code"]), error
    assert counts() == before


def test_a_taken_slot_is_409_and_creates_nothing(w, api_as):
    only_outlet_a_with_one_job_per_window(w)
    slot = offer_slots(product=w.product, service_type="repair")[0]
    body = {"service_type": "repair", "product_id": w.product.pk, "slot_start": iso(slot.start),
            "slot_end": iso(slot.end)}
    assert post_json(api_as("customer"), "/api/v1/workorders/intake/requests", body).status_code == 201
    before = counts()

    resp = post_json(api_as("customer"), "/api/v1/workorders/intake/requests", body)

    assert (resp.status_code, resp.json()["code"], resp.json()["field"]) == (409, "slot_unavailable", "slot")
    assert counts() == before


# --- attachments -----------------------------------------------------------------------------------------


def upload(client, order, *files):
    return client.post(f"/api/v1/workorders/{order.pk}/attachments", {"photos": list(files)})


def jpeg(name="p.jpg", **kw):
    return SimpleUploadedFile(name, photo_bytes(**kw), content_type="image/jpeg")


def test_the_customer_adds_photos_lists_and_downloads_them(w, api_as):
    order = make_order(w)
    client = api_as("customer")

    resp = upload(client, order, jpeg(), SimpleUploadedFile("s.png", photo_bytes("PNG", size=(100, 80))))

    assert resp.status_code == 201, resp.content
    listed = client.get(f"/api/v1/workorders/{order.pk}/attachments").json()
    assert [(a["kind"], a["content_type"], a["width"], a["height"]) for a in listed] == [
        ("photo", "image/jpeg", 1600, 1200), ("photo", "image/jpeg", 100, 80)]
    download = client.get(listed[0]["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("inline")
    content = b"".join(download.streaming_content)
    assert content[:3] == b"\xff\xd8\xff" and len(content) == listed[0]["size"]
    # The dispatcher sees the same files; the outlet of the order too once it is theirs.
    assert api_as("dispatcher").get(listed[0]["url"]).status_code == 200


def test_staff_only_files_are_hidden_from_the_customer(w, api_as):
    order = make_order(w)
    hidden = add_photos(order=order, actor=principal_of(w.dispatcher), photos=[photo_bytes()],
                        customer_visible=False)[0]

    customer = api_as("customer")
    assert customer.get(f"/api/v1/workorders/{order.pk}/attachments").json() == []
    assert customer.get(f"/api/v1/workorders/attachments/{hidden.pk}").status_code == 404
    assert api_as("dispatcher").get(f"/api/v1/workorders/attachments/{hidden.pk}").status_code == 200


@pytest.mark.parametrize(("files", "code"), [
    (lambda: [SimpleUploadedFile("x.jpg", b"I am text", content_type="image/jpeg")], "invalid_image"),
    (lambda: [jpeg(f"{i}.jpg", size=(50, 50)) for i in range(6)], "too_many_photos"),
    (lambda: [], "invalid"),
])
def test_bad_uploads_store_nothing(w, api_as, settings, files, code):
    order = make_order(w)

    resp = upload(api_as("customer"), order, *files())

    assert resp.status_code == 422 and resp.json()["code"] == code
    assert WorkOrderAttachment.objects.count() == 0
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_customer_keeps_to_five_photos_per_order(w, api_as):
    order = make_order(w)
    client = api_as("customer")
    assert upload(client, order, *[jpeg(f"{i}.jpg", size=(40, 40)) for i in range(4)]).status_code == 201

    resp = upload(client, order, jpeg("a.jpg", size=(40, 40)), jpeg("b.jpg", size=(40, 40)))

    assert (resp.status_code, resp.json()["code"]) == (422, "too_many_photos")
    assert WorkOrderAttachment.objects.count() == 4


def test_roles_without_photos_and_foreign_orders_are_refused(w, api_as):
    order = make_order(w)
    assert upload(api_as("analyst"), order, jpeg()).status_code == 403
    assert upload(api_as("other_customer"), order, jpeg()).status_code == 404
    assert upload(token_client(w.rival_dispatcher), order, jpeg()).status_code == 404
    assert WorkOrderAttachment.objects.count() == 0


def test_a_file_missing_on_disk_is_404_not_500(w, api_as):
    order = make_order(w)
    attachment = add_photos(order=order, actor=principal_of(w.dispatcher), photos=[photo_bytes()])[0]
    attachment.file.storage.delete(attachment.file.name)

    resp = api_as("dispatcher").get(f"/api/v1/workorders/attachments/{attachment.pk}")
    assert (resp.status_code, resp.json()["code"]) == (404, "not_found")
