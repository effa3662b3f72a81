"""The API by domain: each app's router is mounted under its own prefix, so the first segment of a path names
the app that serves it, and every path reaches its own operation (Django tries the paths in order, and an
earlier /{id} would take a later path's word)."""

from __future__ import annotations

import inspect
import json
import re

import pytest
from django.test import Client
from django.urls import resolve

from aftersales.api import api
from aftersales.moved import API_MOVED, API_ROOT
from conftest import token_client
from integrations.tests.factories import device_headers, iot_world
from workorders.models import WorkOrder

OPERATIONS = [p for p in api.urls[0] if p.name not in {"openapi-json", "openapi-view", "api-root"}]


def _app(pattern) -> str:
    """The app whose module holds the operation's function (ninja's view closes over its PathView)."""
    path_view = inspect.getclosurevars(pattern.callback).nonlocals["self"]
    return path_view.operations[0].view_func.__module__.split(".")[0]


# The paths issue 15 names whose first segment is not their app's: an order's sub-resources served by the app
# that owns them (what its customer was sent, its survey), the callback desk (feedback's) and the signed-in
# person's own notification preferences. Each is listed here, so no other path strays unnoticed.
SERVED_ELSEWHERE = {
    "workorders/<order_id>/messages": "notifications",
    "workorders/<order_id>/survey": "feedback",
    "callbacks": "feedback",
    "callbacks/<callback_id>/outcome": "feedback",
    "me/notification-preferences": "notifications",
    # Issue 16, contracts: maintenance contracts and plans are maintenance's.
    "contracts": "maintenance",
    "contracts/<contract_id>": "maintenance",
    "contracts/<contract_id>/visits": "maintenance",
    "plans": "maintenance",
    # Issue 16, extended warranty: a unit's warranties under /products (as the issue names a unit's schedule),
    # and the offers under /warranty, both pricing's (it owns warranty and coverage).
    "products/<product_id>/warranties": "pricing",
    "warranty/offers": "pricing",
    # Issue 16 names /imports; the exports of the lists sit beside it. Both are the exchange app's.
    "imports": "exchange",
    "imports/<import_id>": "exchange",
    "imports/<import_id>/commit": "exchange",
    "exports/customers.<fmt>": "exchange",
    "exports/products.<fmt>": "exchange",
    "exports/orders.<fmt>": "exchange",
    # Issue 16 names them: a unit's schedule and the service reminders, served by maintenance.
    "products/<product_id>/schedule": "maintenance",
    "reminders": "maintenance",
    "reminders/<reminder_id>/book": "maintenance",
    # Issue 17 names them: a mail-in order's case, parcels, bench steps and quote answer, served by logistics
    # (mail-in repair), and the couriers' pushes under /couriers.
    **{f"workorders/<order_id>/{step}": "logistics" for step in (
        "mail-in", "shipments", "receive", "diagnose", "quote", "quote/approve", "quote/decline", "repair", "qc",
        "ship", "waybill")},
    "couriers/<backend>/routes": "logistics",
}


@pytest.mark.parametrize("pattern", OPERATIONS, ids=lambda p: f"{p.name} {p.pattern}")
def test_a_paths_first_segment_names_the_app_that_serves_it(pattern):
    route = str(pattern.pattern)
    assert SERVED_ELSEWHERE.get(route, route.split("/")[0]) == _app(pattern)


def test_every_path_served_elsewhere_is_served():
    assert set(SERVED_ELSEWHERE) <= {str(p.pattern) for p in OPERATIONS}


@pytest.mark.parametrize("pattern", OPERATIONS, ids=lambda p: f"{p.name} {p.pattern}")
def test_every_path_reaches_its_own_operation(pattern):
    route = str(pattern.pattern)
    match = resolve("/api/v1/" + re.sub(r"<[^>]+>", "1", route))
    assert match.route == "api/v1/" + route


def test_the_prefixes_are_the_apps():
    assert {_app(p) for p in OPERATIONS} == {
        "accounts", "workorders", "customers", "catalog", "network", "revenue", "integrations", "parts", "field",
        "dispatch", "complaints", "feedback", "notifications", "maintenance", "pricing", "exchange",
        "shop", "reports", "logistics", "settlement"}


# --- the addresses from before the prefixes -----------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), API_MOVED)
def test_every_old_path_leads_to_an_operation_of_its_new_one(old, new):
    ones = {k: 1 for k in re.findall(r"{(\w+)}", old)}
    assert resolve(API_ROOT + old.format(**ones)).url_name != resolve(API_ROOT + new.format(**ones)).url_name
    assert resolve(API_ROOT + new.format(**ones)).route == "api/v1/" + re.sub(r"{(\w+)}", r"<\1>", new)


@pytest.mark.django_db
def test_an_old_path_answers_as_its_new_one_scoping_included(world):
    client = token_client(world.dispatcher)
    old, new = client.get("/api/v1/me"), client.get("/api/v1/accounts/me")
    assert (old.status_code, old.json()) == (new.status_code, new.json()) == (200, new.json())
    assert old["Deprecation"] == "true" and old["Link"] == '</api/v1/accounts/me>; rel="successor-version"'
    own = client.get(f"/api/v1/products/{world.other_product.pk}")
    assert (own.status_code, own.json()["id"]) == (200, world.other_product.pk)
    rival = token_client(world.rival_dispatcher).get(f"/api/v1/products/{world.product.pk}")
    assert rival.status_code == 404 and rival.json()["code"] == "not_found"


@pytest.mark.django_db
def test_a_device_configured_with_the_old_address_still_opens_an_order(world):
    iot = iot_world(world)
    body = json.dumps({"alert_id": "a-old", "serial": world.product.serial, "fault_code": "E01"}).encode()
    resp = Client().post("/api/v1/iot/alerts", data=body, content_type="application/json",
                         **device_headers(iot.raw, body, brand="acme"))
    assert resp.status_code == 201 and resp.json()["outcome"] == "order_created"
    assert WorkOrder.objects.get().channel == "iot"
    unsigned = Client().post("/api/v1/iot/alerts", data=body, content_type="application/json")
    assert (unsigned.status_code, unsigned.json()["code"]) == (401, "bad_signature")
