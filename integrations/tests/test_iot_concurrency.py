"""Concurrent deliveries on real threads and connections (SQLite file or PostgreSQL, whichever the suite runs on)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from conftest import build_world, race
from integrations.models import DeviceAlert, UsageReading
from integrations.tests.factories import device_headers, iot_world
from workorders.choices import EventKind
from workorders.models import WorkOrder, WorkOrderEvent

THREADS = 6


def signed(raw_secret: str, payload: dict):
    body = json.dumps(payload).encode()
    return body, device_headers(raw_secret, body, brand="acme")


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_alert_id_act_once():
    world = build_world()
    keys = iot_world(world)
    body, headers = signed(keys.raw, {"alert_id": "storm-1", "serial": "SN-A-0001", "fault_code": "E01",
                                      "readings": {"litres_filtered": 42}})

    def deliver(_i):
        resp = Client().post("/api/v1/integrations/iot/alerts", data=body, content_type="application/json", **headers)
        return resp.status_code, resp.json()

    results = race(deliver, THREADS)
    assert all(isinstance(r, tuple) for r in results), results
    assert {status for status, _ in results} == {201}
    assert len({json.dumps(body, sort_keys=True) for _, body in results}) == 1
    assert DeviceAlert.objects.count() == 1
    assert UsageReading.objects.count() == 1
    order = WorkOrder.objects.get()
    assert order.events.filter(kind=EventKind.ALERT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_alerts_of_one_product_open_one_order():
    world = build_world()
    keys = iot_world(world)
    requests = [signed(keys.raw, {"alert_id": f"burst-{i}", "serial": "SN-A-0001", "fault_code": "E01"})
                for i in range(THREADS)]

    def deliver(i):
        body, headers = requests[i]
        return Client().post("/api/v1/integrations/iot/alerts", data=body, content_type="application/json",
                             **headers).status_code

    results = race(deliver, THREADS)
    assert sorted(results) == [200] * (THREADS - 1) + [201], results
    order = WorkOrder.objects.get()
    assert WorkOrderEvent.objects.filter(work_order=order, kind=EventKind.ALERT).count() == THREADS
    assert DeviceAlert.objects.filter(work_order=order).count() == THREADS
