"""Signed device alerts over real HTTP: who may send, and what is refused (401 with a code, logged, bounded)."""

from __future__ import annotations

import json
import time

import pytest

from integrations.models import DeviceAlert, RejectedRequest, UsageReading
from integrations.models.rejections import RING_SIZE
from integrations.services import iot
from integrations.tests.factories import ALERTS_URL, device_headers, iot_world, post_alert
from workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    world.iot = iot_world(world)
    return world


def alert(**overrides):
    payload = {"alert_id": "dev-1", "serial": "SN-A-0001", "fault_code": "E01", "message": "inlet 0.05 MPa",
               "readings": {"litres_filtered": 1234.5}}
    payload.update(overrides)
    return payload


def nothing_stored():
    return (DeviceAlert.objects.count(), UsageReading.objects.count(), WorkOrder.objects.count(),
            WorkOrderEvent.objects.count())


def test_signed_alert_is_accepted(w):
    resp = post_alert(alert(), secret=w.iot.raw, brand="acme")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["outcome"] == "order_created"
    assert body["work_order"]["number"].startswith("WO-")
    assert "Idempotent-Replayed" not in resp


@pytest.mark.parametrize("case", ["tampered_body", "wrong_secret", "missing_signature", "missing_timestamp",
                                  "malformed_timestamp", "unknown_brand", "other_brands_secret", "no_prefix",
                                  "timestamp_changed"])
def test_bad_signatures_are_401_and_store_nothing(w, case, client):
    body = json.dumps(alert()).encode()
    headers = device_headers(w.iot.raw, body, brand="acme")
    if case == "tampered_body":
        body = body.replace(b"1234.5", b"9234.5")
    elif case == "wrong_secret":
        headers = device_headers("iot_not-the-secret", body, brand="acme")
    elif case == "missing_signature":
        del headers["HTTP_X_SIGNATURE"]
    elif case == "missing_timestamp":
        del headers["HTTP_X_TIMESTAMP"]
    elif case == "malformed_timestamp":
        headers["HTTP_X_TIMESTAMP"] = "yesterday"
    elif case == "unknown_brand":
        headers["HTTP_X_BRAND"] = "nobody"
    elif case == "other_brands_secret":
        # The rival's own valid secret, on a request naming acme: it signs nothing of acme's.
        headers = device_headers(w.iot.rival_raw, body, brand="acme")
    elif case == "no_prefix":
        headers["HTTP_X_SIGNATURE"] = headers["HTTP_X_SIGNATURE"].removeprefix("sha256=")
    elif case == "timestamp_changed":
        headers["HTTP_X_TIMESTAMP"] = str(int(headers["HTTP_X_TIMESTAMP"]) - 1)
    before = nothing_stored()
    resp = client.post(ALERTS_URL, data=body, content_type="application/json", **headers)
    assert resp.status_code == 401
    assert resp.json()["code"] == "bad_signature"
    assert nothing_stored() == before
    refused = RejectedRequest.objects.get()
    assert refused.code == "bad_signature" and refused.source == "iot"
    assert refused.brand_id == (None if case == "unknown_brand" else w.brand.pk)


@pytest.mark.parametrize("offset", [-310, 310, -3600, 86400])  # ten seconds outside: a loaded machine is slow
def test_stale_and_future_requests_are_401(w, offset):
    before = nothing_stored()
    resp = post_alert(alert(), secret=w.iot.raw, brand="acme", timestamp=int(time.time()) + offset)
    assert resp.status_code == 401
    assert resp.json()["code"] == "stale_request"
    assert nothing_stored() == before
    assert RejectedRequest.objects.get().code == "stale_request"


@pytest.mark.parametrize("offset", [-290, 290])
def test_timestamps_within_five_minutes_are_accepted(w, offset):
    resp = post_alert(alert(), secret=w.iot.raw, brand="acme", timestamp=int(time.time()) + offset)
    assert resp.status_code == 201


def test_a_captured_request_replayed_later_is_stale(w, client):
    body = json.dumps(alert(alert_id="captured")).encode()
    headers = device_headers(w.iot.raw, body, brand="acme", timestamp=int(time.time()) - 600)
    resp = client.post(ALERTS_URL, data=body, content_type="application/json", **headers)
    assert resp.status_code == 401 and resp.json()["code"] == "stale_request"
    assert not DeviceAlert.objects.filter(alert_id="captured").exists()


def test_rotation_two_active_secrets_then_revoke_the_old_one(w):
    new, new_raw = iot.issue_device_secret(brand=w.brand, label="fleet 2026")
    assert post_alert(alert(alert_id="old-key"), secret=w.iot.raw, brand="acme").status_code == 201
    assert post_alert(alert(alert_id="new-key", fault_code=None), secret=new_raw, brand="acme").status_code == 202
    # A third active secret is refused: rotation is one new key at a time.
    with pytest.raises(iot.TooManySecrets):
        iot.issue_device_secret(brand=w.brand, label="too many")
    iot.revoke_device_secret(secret=w.iot.secret)
    resp = post_alert(alert(alert_id="old-key-2"), secret=w.iot.raw, brand="acme")
    assert resp.status_code == 401 and resp.json()["code"] == "bad_signature"
    assert post_alert(alert(alert_id="new-key-2", fault_code=None), secret=new_raw, brand="acme").status_code == 202
    w.iot.secret.refresh_from_db()
    new.refresh_from_db()
    assert w.iot.secret.revoked_at is not None and w.iot.secret.last_used_at is not None
    assert new.last_used_at is not None


def test_signature_hex_case_does_not_matter(w, client):
    body = json.dumps(alert()).encode()
    headers = device_headers(w.iot.raw, body, brand="acme")
    headers["HTTP_X_SIGNATURE"] = "sha256=" + headers["HTTP_X_SIGNATURE"].removeprefix("sha256=").upper()
    assert client.post(ALERTS_URL, data=body, content_type="application/json", **headers).status_code == 201


def test_refusals_are_kept_in_a_bounded_ring(w, client):
    body = json.dumps(alert()).encode()
    headers = device_headers("iot_forged", body, brand="acme")
    for _ in range(RING_SIZE + 15):
        assert client.post(ALERTS_URL, data=body, content_type="application/json", **headers).status_code == 401
    unknown = device_headers("iot_forged", body, brand="ghost")
    for i in range(RING_SIZE + 5):
        unknown["HTTP_X_BRAND"] = f"ghost-{i}"
        assert client.post(ALERTS_URL, data=body, content_type="application/json", **unknown).status_code == 401
    assert RejectedRequest.objects.filter(brand=w.brand).count() == RING_SIZE
    assert RejectedRequest.objects.filter(brand__isnull=True).count() == RING_SIZE
    assert RejectedRequest.objects.count() == 2 * RING_SIZE
    # The newest refusal overwrote the oldest slot.
    newest = RejectedRequest.objects.filter(brand__isnull=True).order_by("-at", "-pk").first()
    assert "ghost-104" in newest.detail


def test_refusals_are_logged(w, caplog):
    with caplog.at_level("WARNING", logger="aftersales.integrations"):
        post_alert(alert(), secret="iot_forged", brand="acme")
    assert any("bad_signature" in r.getMessage() for r in caplog.records)


def test_the_route_is_documented_with_its_headers(client):
    schema = client.get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/integrations/iot/alerts"]["post"]
    assert "X-Signature" in op["description"] and "stale_request" in op["description"]
    assert {p["name"] for p in op["parameters"]} >= {"X-Brand", "X-Timestamp", "X-Signature"}
    assert "alert_id" in json.dumps(op["requestBody"])
    assert {"200", "201", "202", "401", "422"} <= set(op["responses"])
